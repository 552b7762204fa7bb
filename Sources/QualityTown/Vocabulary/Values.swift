// MARK: - Exact numbers and calendar days shared by every stage

/// An exact fraction of two integers, always reduced, denominator > 0.
/// Counts are integers and rates are fractions of sums: comparisons at thresholds are exact.
public struct Rational: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    /// Creates `n / d` reduced. `d` must not be 0.
    public init(_ n: Int, _ d: Int = 1) {
        precondition(d != 0, "Rational with zero denominator")
        // An integer (every count): nothing to reduce, and no division.
        if d == 1 {
            numerator = n
            denominator = 1
            return
        }
        let g = Rational.gcd(Swift.abs(n), Swift.abs(d))
        let sign = d < 0 ? -1 : 1
        numerator = sign * n / Swift.max(g, 1)
        denominator = sign * d / Swift.max(g, 1)
    }

    /// `n / d` already reduced with `d` > 0 (a stored rational read back).
    init(reduced n: Int, _ d: Int) {
        numerator = n
        denominator = d
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    public static func < (a: Rational, b: Rational) -> Bool {
        Int128(a.numerator) * Int128(b.denominator) < Int128(b.numerator) * Int128(a.denominator)
    }

    // MARK: Arithmetic: exact or nothing
    //
    // Seventeen-digit cells summed over a city, or means of 15-decimal percentages, leave 64 bits.
    // The checked forms (`adding`, `multiplied`, `divided`) give nil then, and the compute stage
    // reports the figure as an error at its cells (io-contract: never a trap). The operators are
    // the same arithmetic for values known to be small (points, counts of towns), and stop the
    // program rather than give a wrong number.

    /// `n / d` reduced, when it fits in 64-bit integers.
    static func narrowed(_ n: Int128, _ d: Int128) -> Rational? {
        guard d != 0 else { return nil }
        var (a, b) = (n.magnitude, d.magnitude)
        while b != 0 { (a, b) = (b, a % b) }
        let g = Int128(max(a, 1))
        var (nn, dd) = (n / g, d / g)
        if dd < 0 { (nn, dd) = (-nn, -dd) }
        guard let x = Int(exactly: nn), let y = Int(exactly: dd) else { return nil }
        return Rational(reduced: x, y)
    }

    /// `self + b` exactly, or nil when the result does not fit in 64-bit integers.
    public func adding(_ b: Rational) -> Rational? {
        // Sums of counts: integers add without the divisions of the general case.
        if denominator == 1 && b.denominator == 1 {
            let (r, o) = numerator.addingReportingOverflow(b.numerator)
            return o ? nil : Rational(reduced: r, 1)
        }
        // In 64 bits when nothing overflows (almost always), else in 128.
        let g = Rational.gcd(denominator, b.denominator)
        let (l, o1) = (denominator / g).multipliedReportingOverflow(by: b.denominator)
        let (x, o2) = numerator.multipliedReportingOverflow(by: l / denominator)
        let (y, o3) = b.numerator.multipliedReportingOverflow(by: l / b.denominator)
        let (n, o4) = x.addingReportingOverflow(y)
        if !(o1 || o2 || o3 || o4) && n != Int.min { return Rational(n, l) }
        let (w, o5) = (Int128(numerator) * Int128(b.denominator)).addingReportingOverflow(Int128(b.numerator) * Int128(denominator))
        return o5 ? nil : Rational.narrowed(w, Int128(denominator) * Int128(b.denominator))
    }

    /// `n / d` through the 64-bit initializer when neither overflowed, else in 128 bits.
    private static func quotient(_ n: (partialValue: Int, overflow: Bool), _ d: (partialValue: Int, overflow: Bool),
                                 wide: () -> (Int128, Int128)) -> Rational? {
        if !n.overflow && !d.overflow && n.partialValue != Int.min && d.partialValue != Int.min {
            return d.partialValue == 0 ? nil : Rational(n.partialValue, d.partialValue)
        }
        let (a, b) = wide()
        return narrowed(a, b)
    }

    /// `self × b` exactly, or nil when the result does not fit in 64-bit integers.
    public func multiplied(by b: Rational) -> Rational? {
        if denominator == 1 && b.denominator == 1 {
            let (r, o) = numerator.multipliedReportingOverflow(by: b.numerator)
            return o ? nil : Rational(reduced: r, 1)
        }
        return Rational.quotient(numerator.multipliedReportingOverflow(by: b.numerator), denominator.multipliedReportingOverflow(by: b.denominator)) {
            (Int128(numerator) * Int128(b.numerator), Int128(denominator) * Int128(b.denominator))
        }
    }

    /// `self ÷ b` exactly, or nil when `b` is 0 or the result does not fit in 64-bit integers.
    public func divided(by b: Rational) -> Rational? {
        guard b.numerator != 0 else { return nil }
        return Rational.quotient(numerator.multipliedReportingOverflow(by: b.denominator), denominator.multipliedReportingOverflow(by: b.numerator)) {
            (Int128(numerator) * Int128(b.denominator), Int128(denominator) * Int128(b.numerator))
        }
    }

    /// `numerator / denominator × 100` (a rate as a percentage), exactly, or nil when it does not fit.
    public static func percentage(_ numerator: Rational, of denominator: Rational) -> Rational? {
        numerator.divided(by: denominator)?.multiplied(by: Rational(100))
    }

    public static func + (a: Rational, b: Rational) -> Rational {
        guard let r = a.adding(b) else { preconditionFailure("\(a) + \(b) does not fit in 64 bits (use adding(_:))") }
        return r
    }

    public static func * (a: Rational, b: Rational) -> Rational {
        guard let r = a.multiplied(by: b) else { preconditionFailure("\(a) × \(b) does not fit in 64 bits (use multiplied(by:))") }
        return r
    }

    public static func / (a: Rational, b: Rational) -> Rational {
        precondition(b.numerator != 0, "Rational division by zero")
        guard let r = a.divided(by: b) else { preconditionFailure("\(a) ÷ \(b) does not fit in 64 bits (use divided(by:))") }
        return r
    }

    public var isInteger: Bool { denominator == 1 }

    /// The nearest double (for results.json only; never for comparisons).
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    /// Cut (truncated toward zero, never rounded) to `digits` decimals: 440/449·100 → "97.99".
    public func cut(_ digits: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        // In machine integers when they hold the product (almost always); 128 bits otherwise.
        let m = UInt64(numerator.magnitude), d = UInt64(denominator)
        let whole: UInt64, frac: UInt64
        if m <= UInt64(Int.max) / scale {
            let n = m * scale / d
            (whole, frac) = (n / scale, n % scale)
        } else {
            let n = UInt128(m) * UInt128(scale) / UInt128(d)
            (whole, frac) = (UInt64(n / UInt128(scale)), UInt64(n % UInt128(scale)))
        }
        let sign = numerator < 0 && (whole != 0 || frac != 0) ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let f = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
    }

    /// The shortest exact decimal when the value has one of at most `maxDigits` decimals
    /// (98.5, 2, 0.5), else the value cut to `maxDigits`.
    public func plain(maxDigits: Int = 6) -> String {
        if denominator == 1 { return String(numerator) }
        var scale = 1
        let small = numerator.magnitude <= UInt(Int.max) / 1_000_000_000_000
        for d in 0...maxDigits {
            if small && d <= 12 ? (numerator * scale) % denominator == 0 : (Int128(numerator) * Int128(scale)) % Int128(denominator) == 0 {
                return cut(d)
            }
            scale *= 10
        }
        return cut(maxDigits)
    }

    public var description: String { denominator == 1 ? String(numerator) : "\(numerator)/\(denominator)" }
}

/// A calendar day without time or zone (dates in the inputs are days).
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid day, or nil (`2025-02-30`).
    public init?(_ year: Int, _ month: Int, _ day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Day.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for differences and serial conversion.
    public var ordinal: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The day with the given ordinal (inverse of `ordinal`).
    public init(ordinal z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// The same calendar day `years` later; 29 Feb becomes 28 Feb in a common year.
    public func addingYears(_ years: Int) -> Day {
        let y = year + years
        return Day(y, month, Swift.min(day, Day.daysIn(month: month, year: y)))!
    }

    public func addingDays(_ n: Int) -> Day { Day(ordinal: ordinal + n) }

    public static func < (a: Day, b: Day) -> Bool { a.ordinal < b.ordinal }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: Swift.max(0, w - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `2025年3月5日`, as a Chinese document writes a date.
    public var chinese: String { "\(year)年\(month)月\(day)日" }
}

/// An optional rational in 16 bytes (a denominator of 0 is nil), where `Rational?` takes 24:
/// figures and scores hold one or more each, and there are millions of them in a large build.
@propertyWrapper
public struct PackedRational: Sendable, Hashable {
    private var n = 0
    private var d = 0

    public init(wrappedValue: Rational?) {
        if let r = wrappedValue { (n, d) = (r.numerator, r.denominator) }
    }

    public var wrappedValue: Rational? {
        get { d == 0 ? nil : Rational(reduced: n, d) }
        set { self = PackedRational(wrappedValue: newValue) }
    }
}

/// One element of a shared array, by its position: a result keeps its scheme entry (a target,
/// a rubric item) this way rather than a copy of it in each result.
struct SharedElement<Element: Sendable>: Sendable {
    private let all: [Element]
    private let index: Int

    init(_ all: [Element], _ index: Int) {
        self.all = all
        self.index = index
    }

    var value: Element { all[index] }
    /// Its index in the array it is shared from.
    var position: Int { index }
}

/// Strings numbered 0, 1, 2… in the order first seen (units and indicators before a sort).
struct FirstSeenNumbers {
    private(set) var list: [String] = []
    private var numbers: [String: Int] = [:]

    /// The number of `s`, given it now if it is new.
    mutating func number(_ s: String) -> Int {
        if let i = numbers[s] { return i }
        numbers[s] = list.count
        list.append(s)
        return list.count - 1
    }
}

/// A value a rule reads: a number, or why there is none.
public enum Measure: Sendable, Hashable {
    case value(Rational)
    case noData
    case notApplicable
    case error

    /// The number, when there is one.
    public var number: Rational? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// `numerator / denominator × scale` (100 for a percentage, 10,000 for a rate per 10,000).
/// A zero denominator with a zero or blank numerator is not applicable; a numerator above its
/// denominator is an error unless `mayExceed` (a rate per 10,000 units may exceed them); a
/// positive numerator over a zero denominator is an error (§4 Rates). A quotient that leaves 64-bit
/// integers (a 17-digit count over one unit, per 10,000) is an error too, never a trap
/// (io-contract.md: a value that cannot be computed exactly is an error at its cells).
public func ratio(_ numerator: Measure, _ denominator: Measure, scale: Rational = Rational(100),
                  mayExceed: Bool = false) -> Measure {
    if numerator == .error || denominator == .error { return .error }
    guard case .value(let d) = denominator else {
        return .noData
    }
    if d == Rational(0) {
        switch numerator {
        case .value(let n) where n != Rational(0): return .error
        default: return .notApplicable
        }
    }
    guard case .value(let n) = numerator else { return numerator == .notApplicable ? .notApplicable : .noData }
    if !mayExceed && n > d { return .error }
    guard let q = n.divided(by: d)?.multiplied(by: scale) else { return .error }
    return .value(q)
}
