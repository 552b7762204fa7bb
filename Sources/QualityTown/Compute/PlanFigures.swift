// MARK: - A plan's figures and targets (quzhou-city.md §4 Pooling, §6): the counties' own rows,
// the city pooled from them, the rule targets judged for the report year

/// A figure of a unit for a year: the measure, whether it is approximate (pooled with units
/// left out, or a mean standing in), and for a rate the parts it is the ratio of.
public struct PlanFigure: Sendable, Hashable {
    public var measure: Measure
    public var approximate: Bool
    public var numerator: Measure?
    public var denominator: Measure?
}

/// One unit (the city or a county) with its figures and its judged targets for the report year.
public struct PlanUnitResult: Sendable {
    public var unit: Unit
    /// Figures of the report year by indicator or rate id.
    public var figures: [String: PlanFigure]
    /// Figures of the year before (the "last year" column).
    public var previous: [String: PlanFigure]
    /// Targets in the scheme's order (Q12 only where its tier allows).
    public var targets: [(target: RuleTarget, judgement: RuleJudgement)]
}

/// The figures of one unit for one year: its own for a county; for the city, pooled from the
/// counties (sums, ratios of sums, the city's own percent or score else the counties' mean, the
/// city's own rank) — quzhou-city.md §4 Pooling.
func planFigures(_ inputs: PlanInputs, plan: PlanDefinition, unit: Unit, year: Int) -> [String: PlanFigure] {
    let isCity = unit.code == inputs.city?.code
    let counties = inputs.counties.counties
    var out: [String: PlanFigure] = [:]
    func own(_ code: String, _ ind: PlanIndicator) -> Measure { inputs.data.measure(code, ind.id, year: year, kind: ind.kind) }
    for ind in plan.indicators {
        guard isCity else {
            // A county's own row (a rank there was a warning and never kept).
            out[ind.id] = PlanFigure(measure: own(unit.code, ind), approximate: false)
            continue
        }
        let pooled: PooledMeasure
        switch ind.kind {
        case .count, .stock, .amount: pooled = poolSum(counties.map { own($0.code, ind) })
        case .percent, .score: pooled = poolMean(counties.map { own($0.code, ind) }, own: own(unit.code, ind))
        case .rank, .flag, .level: pooled = PooledMeasure(own(unit.code, ind))
        }
        out[ind.id] = PlanFigure(measure: pooled.measure, approximate: pooled.approximate)
    }
    let kinds = Dictionary(plan.indicators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for r in plan.rates {
        guard let ni = kinds[r.numerator], let di = kinds[r.denominator] else { continue }
        let num = out[r.numerator]!, den = out[r.denominator]!
        if isCity {
            // The rate's numerator and denominator are the sums over the counties the rate used
            // (§4 Pooling), so that they give the value shown beside them.
            let (pooled, n, d) = poolRatioWithParts(counties.map { (own($0.code, ni), own($0.code, di)) }, scale: r.scale,
                                                    mayExceed: r.mayExceed)
            out[r.id] = PlanFigure(measure: pooled.measure, approximate: pooled.approximate, numerator: n, denominator: d)
        } else {
            out[r.id] = PlanFigure(measure: ratio(num.measure, den.measure, scale: r.scale, mayExceed: r.mayExceed),
                                   approximate: false, numerator: num.measure, denominator: den.measure)
        }
    }
    return out
}

/// Evaluates a plan's inputs: statuses at the as-of date, figures of the report year and the
/// year before, and the rule targets judged for the city and each county.
public func computePlan(_ inputs: PlanInputs, scheme: Scheme, plan: PlanDefinition, year: Int, asOf: Day) -> PlanReport {
    let results = evaluatePlan(tasks: plan.tasks, stages: plan.stages, assignments: inputs.sheet.assignments,
                               reports: inputs.reports, departments: inputs.departments.departments.map(\.party),
                               counties: inputs.counties.parties, asOf: asOf)
    var units: [PlanUnitResult] = []
    for unit in [inputs.city].compactMap({ $0 }) + inputs.counties.counties {
        let tier: UnitTier = unit.code == inputs.city?.code ? .city : .county
        // The rules read this year's figures and last year's (strictly higher than the year before).
        let current = planFigures(inputs, plan: plan, unit: unit, year: year)
        let previous = planFigures(inputs, plan: plan, unit: unit, year: year - 1)
        func figure(_ id: String, _ y: Int) -> Measure {
            let figures = y == year ? current : y == year - 1 ? previous : planFigures(inputs, plan: plan, unit: unit, year: y)
            return figures[id]?.measure ?? .noData
        }
        let targets = plan.targets.filter { $0.onlyTier == nil || $0.onlyTier == tier }.map { t in
            (target: t, judgement: judgeRule(t.form, year: year, figure: figure, reference: inputs.reference.measure))
        }
        units.append(PlanUnitResult(unit: unit, figures: current, previous: previous, targets: targets))
    }
    return PlanReport(scheme: scheme, plan: plan, inputs: inputs, year: year, asOf: asOf, results: results, units: units,
                      diagnostics: inputs.diagnostics)
}
