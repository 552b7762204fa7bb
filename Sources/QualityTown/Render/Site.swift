import Foundation

// MARK: - The site: templates loaded once, pages rendered from views

/// Renders the pages of one run: the scheme's templates (its folder first, then
/// `templates/common/`) compiled once, then one render per page.
public final class Site: Sendable {
    let templates: TemplateSet
    let format: OutputFormat
    let commonDirectory: String
    /// Makes the sink each page is written through, when not the `MarkupWriter` (tests: a
    /// libxml2 tree, serialised by libxml2, that the written pages are compared with).
    let sink: (@Sendable (OutputFormat) -> any MarkupSink)?

    /// Loads and compiles the templates; a template error stops the run (exit 2).
    public convenience init(scheme: Scheme, format: OutputFormat) throws(TemplateError) {
        try self.init(scheme: scheme, format: format, sink: nil)
    }

    init(scheme: Scheme, format: OutputFormat, sink: (@Sendable (OutputFormat) -> any MarkupSink)?) throws(TemplateError) {
        commonDirectory = (scheme.directory as NSString).deletingLastPathComponent + "/common"
        templates = try TemplateSet(directories: [scheme.directory, commonDirectory])
        self.format = format
        self.sink = sink
        scoreParts = scheme.rubric.map(ScoreTableParts.init)
    }

    /// The 自查打分表's rubric parts, shared by every town's table (its 评分方法 cells are shared
    /// parts: written once a run).
    private let scoreParts: ScoreTableParts?

    private func page(_ template: String, at path: String, _ value: TemplateValue) throws(TemplateError) -> OutputPage {
        guard let sink = sink?(format) else {
            return OutputPage(path: path, bytes: try templates.render(template, context: value, format: format))
        }
        return OutputPage(path: path, bytes: try templates.render(template, context: value, format: format, into: sink))
    }

    /// `index.html`: years, input files, units.
    public func indexPage(_ report: Report, years: [Int]) throws(TemplateError) -> OutputPage {
        try page("index.xhtml", at: "index." + format.fileExtension, indexView(report, years: years, format: format))
    }

    /// `YEAR/data-quality.html`: every diagnostic, by file and by unit.
    public func dataQualityPage(_ report: Report) throws(TemplateError) -> OutputPage {
        try page("data-quality.xhtml", at: "\(report.read.year)/data-quality." + format.fileExtension, dataQualityView(report, format: format))
    }

    /// `YEAR/towns/CODE.html` for one town (codes are validated: letters and digits only).
    public func townPage(_ report: Report, _ r: UnitResult) throws(TemplateError) -> OutputPage {
        try page("town.xhtml", at: "\(report.read.year)/towns/\(r.unit.code).\(format.fileExtension)",
                 townView(report, r, format: format, parts: scoreParts))
    }

    /// A town's page, and its filing form when the town is in no county (the county's job
    /// writes the forms of its towns, with the bundle that copies them).
    func townAndFormPages(_ report: Report, _ r: UnitResult) throws(TemplateError) -> [OutputPage] {
        let a = report.assessment
        let inCounty = a.tree.ancestor(of: r.unit.code, at: .county).map { a.result($0.code) != nil } ?? false
        return inCounty ? [try townPage(report, r)] : [try townPage(report, r), try formPage(report, r)]
    }

    /// A county's rollup, each of its towns' 附件2 forms and the bundle of them all: each form is
    /// a shared part (`formDocument`), written once and copied into the bundle. (The town page
    /// prints the committee's scores, the form the town's own: they share no table.)
    func countyAndFormPages(_ report: Report, _ county: UnitResult) throws(TemplateError) -> [OutputPage] {
        let towns = formTowns(report, county)
        let forms = towns.map { formDocument(formValue(report, $0, format: format, parts: scoreParts)) }
        var pages = [try countyPage(report, county)]
        for (t, f) in zip(towns, forms) {
            pages.append(try page("form.xhtml", at: "\(report.read.year)/forms/\(t.unit.code).\(format.fileExtension)",
                                  formView(report, t, format: format, root: "../../", form: f)))
        }
        pages.append(try page("forms-bundle.xhtml", at: "\(report.read.year)/forms/county-\(county.unit.code).\(format.fileExtension)",
                              formsBundleView(report, county, format: format, forms: forms)))
        return pages
    }

    /// `YEAR/counties/CODE.html`, the nightly rollup of one county.
    public func countyPage(_ report: Report, _ r: UnitResult) throws(TemplateError) -> OutputPage {
        try page("county.xhtml", at: "\(report.read.year)/counties/\(r.unit.code).\(format.fileExtension)", countyView(report, r, format: format))
    }

    /// `YEAR/cities/CODE.html`, the committee's report.
    public func cityPage(_ report: Report, _ r: UnitResult) throws(TemplateError) -> OutputPage {
        try page("city.xhtml", at: "\(report.read.year)/cities/\(r.unit.code).\(format.fileExtension)", cityView(report, r, format: format))
    }

    /// `YEAR/forms/CODE.html`, the 附件2 filing form of one town.
    public func formPage(_ report: Report, _ r: UnitResult) throws(TemplateError) -> OutputPage {
        try page("form.xhtml", at: "\(report.read.year)/forms/\(r.unit.code).\(format.fileExtension)",
                 formView(report, r, format: format, root: "../../", parts: scoreParts))
    }

    /// `YEAR/changes.html`: what changed since the previous run's results.json.
    func changesPage(_ report: Report, previous: FlatResults?, current: [UInt8]) throws(TemplateError) -> OutputPage {
        try page("changes.xhtml", at: "\(report.read.year)/changes.\(format.fileExtension)",
                 changesView(report, previous: previous, current: current, format: format))
    }

    /// One page to render: jobs are listed first, then rendered in parallel, each written as
    /// soon as it is done (so a build never holds all its pages in memory).
    public enum PageJob: Sendable {
        case dataQuality, results
        /// `index.html`, listing `years` (it lists every unit, so it is rendered alongside the
        /// other pages, not after them).
        case index(years: [Int])
        /// A town's page and its filing form.
        case town(Int)
        case county(Int), city(Int)
    }

    /// Every page of a build except the index, in a stable order.
    public func jobs(_ report: Report) -> [PageJob] {
        var out: [PageJob] = [.dataQuality, .results]
        for (i, r) in report.assessment.units.enumerated() {
            switch r.unit.level.tier {
            case .town: out.append(.town(i))
            case .county: out.append(.county(i))
            case .city: out.append(.city(i))
            case .province: break
            }
        }
        return out
    }

    /// Renders one job (results and a town give two files each).
    public func render(_ job: PageJob, _ report: Report) throws(TemplateError) -> [OutputPage] {
        let units = report.assessment.units
        switch job {
        case .dataQuality: return [try dataQualityPage(report)]
        case .index(let years): return [try indexPage(report, years: years)]
        case .results: return results(report)
        case .town(let i): return try townAndFormPages(report, units[i])
        case .county(let i): return try countyAndFormPages(report, units[i])
        case .city(let i): return [try cityPage(report, units[i])]
        }
    }

    /// Folders the jobs write into (made before the parallel writes).
    public func folders(_ report: Report) -> [String] {
        let y = report.read.year
        return ["\(y)", "\(y)/towns", "\(y)/forms", "\(y)/counties", "\(y)/cities", "assets"]
    }

    /// `YEAR/results.json` and `YEAR/results.csv`.
    public func results(_ report: Report) -> [OutputPage] {
        let y = report.read.year
        return [OutputPage(path: "\(y)/results.json", bytes: resultsJSON(report.assessment, problems: report.diagnostics, inputs: report.read.inputs.files)),
                OutputPage(path: "\(y)/results.csv", bytes: resultsCSV(report.assessment))]
    }

    /// Static files under `assets/` (the stylesheet), copied from the template folders.
    public func assets() throws(TemplateError) -> [OutputPage] {
        let path = commonDirectory + "/style.css"
        guard let css = FileManager.default.contents(atPath: path) else {
            throw TemplateError(file: "common/style.css", line: 0, message: "找不到样式表 \(path)")
        }
        return [OutputPage(path: "assets/style.css", bytes: [UInt8](css))]
    }
}
