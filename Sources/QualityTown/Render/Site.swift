import Foundation

// MARK: - The site: templates loaded once, pages rendered from views

/// Renders the pages of one run: the scheme's templates (its folder first, then
/// `templates/common/`) compiled once, then one render per page.
public final class Site: Sendable {
    let templates: TemplateSet
    let format: OutputFormat
    let commonDirectory: String

    /// Loads and compiles the templates; a template error stops the run (exit 2).
    public init(scheme: Scheme, format: OutputFormat) throws(TemplateError) {
        commonDirectory = (scheme.directory as NSString).deletingLastPathComponent + "/common"
        templates = try TemplateSet(directories: [scheme.directory, commonDirectory])
        self.format = format
    }

    private func page(_ template: String, at path: String, _ value: TemplateValue) throws(TemplateError) -> OutputPage {
        OutputPage(path: path, bytes: try templates.render(template, context: value, format: format))
    }

    /// `index.html`: years, input files, units.
    public func indexPage(_ read: ReadResult, years: [Int]) throws(TemplateError) -> OutputPage {
        try page("index.xhtml", at: "index." + format.fileExtension, indexView(read, years: years, format: format))
    }

    /// `YEAR/data-quality.html`: every diagnostic, by file and by unit.
    public func dataQualityPage(_ read: ReadResult) throws(TemplateError) -> OutputPage {
        try page("data-quality.xhtml", at: "\(read.year)/data-quality." + format.fileExtension, dataQualityView(read, format: format))
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
