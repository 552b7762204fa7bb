import Testing
import Foundation
@testable import QualityTown

/// Q1–Q12 as generic rule forms (quzhou-city.md §4, §6), each in each state, hand-computed.
@Suite struct RuleFormTests {
    func target(_ id: String) -> RuleTarget { quzhouPlan.targets.first { $0.id == id }! }

    /// Judges target `id` for 2019 with figures by "indicator@year" and references by "key@year".
    func judge(_ id: String, _ figures: [String: Measure], _ refs: [String: Measure] = [:]) -> RuleJudgement {
        judgeRule(target(id).form, year: 2019, figure: { figures["\($0)@\($1)"] ?? .noData },
                  reference: { refs["\($0)@\($1)"] ?? .noData })
    }

    func v(_ n: Int, _ d: Int = 1) -> Measure { .value(Rational(n, d)) }

    func rate(_ id: String, _ num: Measure, _ den: Measure) -> Measure {
        let r = quzhouPlan.rates.first { $0.id == id }!
        return ratio(num, den, scale: r.scale, mayExceed: r.mayExceed)
    }

    @Test func ratiosAndTheirStates() {
        #expect(rate("energy_rate", v(50), v(50)) == v(100))
        #expect(rate("energy_rate", v(49), v(50)) == v(98))
        #expect(rate("energy_rate", v(0), v(0)) == .notApplicable)
        #expect(rate("energy_rate", .noData, v(0)) == .notApplicable)
        #expect(rate("energy_rate", v(3), v(0)) == .error)
        #expect(rate("energy_rate", v(51), v(50)) == .error)          // numerator above denominator
        #expect(rate("energy_rate", .noData, v(50)) == .noData)
        #expect(rate("energy_rate", v(5), .noData) == .noData)
        #expect(rate("energy_rate", .error, v(50)) == .error)
        // Per 10,000 units, and deaths may exceed nothing: 3 deaths over 12,000 units = 2.5.
        #expect(rate("se_death_rate", v(3), v(12_000)) == v(5, 2))
        #expect(rate("se_death_rate", v(3), v(2)) == v(15_000))
        #expect(rate("se_death_rate", v(0), v(0)) == .notApplicable)
        // Amounts (万平方米), exact: 12.5 / 50.25 = 1250/50.25 %.
        #expect(rate("green_share", v(25, 2), v(201, 4)) == .value(Rational(5000, 201)))
    }

    @Test func q1ToQ4AndQ11AgainstAConstant() {
        for id in ["Q1", "Q2", "Q3", "Q4", "Q11"] {
            let ind: String
            if case .compare(let i, _, _) = target(id).form { ind = i } else { Issue.record("\(id)"); continue }
            #expect(judge(id, ["\(ind)@2019": v(100)]).status == .met, "\(id)")
            #expect(judge(id, ["\(ind)@2019": v(9999, 100)]).status == .unmet, "\(id)")   // 99.99 ≠ 100
            #expect(judge(id, [:]).status == .noData, "\(id)")
            #expect(judge(id, ["\(ind)@2019": .notApplicable]).status == .notApplicable, "\(id)")
            #expect(judge(id, ["\(ind)@2019": .error]).status == .error, "\(id)")
        }
    }

    @Test func q5BelowTheNationalRateOfTheSameYear() {
        let ref = ["se_national@2019": v(3, 10)]
        #expect(judge("Q5", ["se_death_rate@2019": v(1, 4)], ref).status == .met)
        #expect(judge("Q5", ["se_death_rate@2019": v(3, 10)], ref).status == .unmet)   // equal is not below
        #expect(judge("Q5", ["se_death_rate@2019": v(3, 10)], ["se_national@2018": v(1)]).status == .noData)
        let missing = judge("Q5", ["se_death_rate@2019": v(1, 4)])
        #expect(missing.status == .noData && missing.missing == [MissingInput(what: "se_national", year: 2019, isReference: true)])
        #expect(judge("Q5", ["se_death_rate@2019": v(1, 4)], ["se_national@2019": .error]).status == .error)
        #expect(judge("Q5", ["se_death_rate@2019": .notApplicable], ref).status == .notApplicable)
        #expect(judge("Q5", ["se_death_rate@2019": .error], ref).status == .error)
        #expect(judge("Q5", [:], ref).status == .noData)
        // Order (§6): the indicator's own state first, then the reference in error, then missing.
        #expect(judge("Q5", ["se_death_rate@2019": .notApplicable], ["se_national@2019": .error]).status == .notApplicable)
        #expect(judge("Q5", [:], ["se_national@2019": .error]).status == .error)
    }

    @Test func q6AtLeastTheGoal() {
        let ref = ["ccc_goal@2019": v(95)]
        #expect(judge("Q6", ["ccc_rate@2019": v(95)], ref).status == .met)
        #expect(judge("Q6", ["ccc_rate@2019": v(9499, 100)], ref).status == .unmet)
        #expect(judge("Q6", ["ccc_rate@2019": v(99)]).status == .noData)
        #expect(judge("Q6", ["ccc_rate@2019": v(99)], ["ccc_goal@2019": .error]).status == .error)
        #expect(judge("Q6", ["ccc_rate@2019": v(99)], ["ccc_goal@2018": v(95)]).missing.map(\.year) == [2019])
        #expect(judge("Q6", ["ccc_rate@2019": .error], ref).status == .error)
        #expect(judge("Q6", ["ccc_rate@2019": .notApplicable], ref).status == .notApplicable)
    }

    @Test func q7EitherADemonstrationZoneOrTheExportRate() {
        let ref = ["exp_goal@2019": v(97)]
        // Either part known to hold.
        #expect(judge("Q7", ["demo_zones@2019": v(1)], [:]).status == .met)
        #expect(judge("Q7", ["demo_zones@2019": v(2), "exp_rate@2019": .error], ref).status == .met)
        #expect(judge("Q7", ["demo_zones@2019": v(0), "exp_rate@2019": v(97)], ref).status == .met)
        #expect(judge("Q7", ["exp_rate@2019": v(98)], ref).status == .met)
        // Both known, neither holds.
        let unmet = judge("Q7", ["demo_zones@2019": v(0), "exp_rate@2019": v(96)], ref)
        #expect(unmet.status == .unmet && unmet.value == v(96) && unmet.parts.map(\.status) == [.unmet, .unmet])
        // exp_rate not applicable and no zone: no-data (§6).
        #expect(judge("Q7", ["demo_zones@2019": v(0), "exp_rate@2019": .notApplicable], ref).status == .noData)
        // A part in error and none met: error.
        #expect(judge("Q7", ["demo_zones@2019": v(0), "exp_rate@2019": .error], ref).status == .error)
        #expect(judge("Q7", ["demo_zones@2019": .error, "exp_rate@2019": v(96)], ref).status == .error)
        // Something missing and nothing met: no-data, naming the missing goal.
        let noGoal = judge("Q7", ["demo_zones@2019": v(0), "exp_rate@2019": v(99)])
        #expect(noGoal.status == .noData && noGoal.missing.map(\.what) == ["exp_goal"])
        #expect(judge("Q7", ["exp_rate@2019": v(96)], ref).status == .noData)
        #expect(judge("Q7", [:], ref).status == .noData)
    }

    @Test func q8ToQ10StrictlyHigherThanLastYear() {
        for (id, ind) in [("Q8", "agri_std"), ("Q9", "green_share"), ("Q10", "csi")] {
            #expect(judge(id, ["\(ind)@2019": v(801, 10), "\(ind)@2018": v(80)]).status == .met, "\(id)")
            #expect(judge(id, ["\(ind)@2019": v(80), "\(ind)@2018": v(80)]).status == .unmet, "\(id)")   // equal is unmet
            #expect(judge(id, ["\(ind)@2019": v(79), "\(ind)@2018": v(80)]).status == .unmet, "\(id)")
            let missing = judge(id, ["\(ind)@2019": v(80)])
            #expect(missing.status == .noData && missing.missing == [MissingInput(what: ind, year: 2018, isReference: false)], "\(id)")
            // A previous value that is not applicable counts as missing (§6).
            #expect(judge(id, ["\(ind)@2019": v(80), "\(ind)@2018": .notApplicable]).status == .noData, "\(id)")
            #expect(judge(id, ["\(ind)@2019": v(80), "\(ind)@2018": .error]).status == .error, "\(id)")
            #expect(judge(id, ["\(ind)@2019": .error, "\(ind)@2018": v(80)]).status == .error, "\(id)")
            #expect(judge(id, ["\(ind)@2019": .notApplicable, "\(ind)@2018": v(80)]).status == .notApplicable, "\(id)")
            #expect(judge(id, ["\(ind)@2018": v(80)]).status == .noData, "\(id)")
        }
    }

    @Test func q12RankWithinTheGoalForTheCityOnly() {
        let ref = ["rank_goal@2019": v(10)]
        #expect(target("Q12").onlyTier == .city)
        #expect(quzhouPlan.targets.filter { $0.onlyTier != nil }.map(\.id) == ["Q12"])
        #expect(judge("Q12", ["sat_rank@2019": v(3)], ref).status == .met)
        #expect(judge("Q12", ["sat_rank@2019": v(10)], ref).status == .met)
        #expect(judge("Q12", ["sat_rank@2019": v(11)], ref).status == .unmet)
        #expect(judge("Q12", ["sat_rank@2019": v(3)]).status == .noData)
        #expect(judge("Q12", ["sat_rank@2019": v(3)], ["rank_goal@2019": .error]).status == .error)
        #expect(judge("Q12", [:], ref).status == .noData)
        #expect(judge("Q12", ["sat_rank@2019": .error], ref).status == .error)
        #expect(judge("Q12", ["sat_rank@2019": .notApplicable], ref).status == .notApplicable)
        let missing = judge("Q12", ["sat_rank@2019": v(3)])
        #expect(missing.missing == [MissingInput(what: "rank_goal", year: 2019, isReference: true)])
    }

    @Test func eitherStatusTable() {
        let all: [TargetStatus] = [.met, .unmet, .noData, .notApplicable, .error]
        for a in all {
            for b in all {
                let expected: TargetStatus
                if a == .met || b == .met { expected = .met }
                else if a == .unmet && b == .unmet { expected = .unmet }
                else if a == .error || b == .error { expected = .error }
                else { expected = .noData }
                #expect(eitherStatus(a, b) == expected)
            }
        }
    }
}
