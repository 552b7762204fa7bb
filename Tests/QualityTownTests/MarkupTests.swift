import CLibXML2
import Foundation
import Testing
@testable import QualityTown

/// Builds a page as a libxml2 tree through the same sink calls (prepared nodes copied, elements
/// copied without their children, attributes set by `xmlSetProp`, texts as text nodes; a shared
/// part rendered in place) and writes it with libxml2's serialiser, formatting off: the
/// reference the written pages must equal.
final class TreeSink: MarkupSink {
    let format: OutputFormat
    private let document: XMLDocument
    private var open: [(node: xmlNodePtr, tags: ElementTags)] = []

    init(format: OutputFormat) {
        self.format = format
        document = XMLDocument.new(html: format == .html)
        xmlCreateIntSubset(document.doc, "html", nil, nil)
    }

    private func add(_ node: xmlNodePtr) {
        if let parent = open.last?.node {
            if xmlAddChild(parent, node) == nil { xmlFreeNode(node) }
        } else {
            xmlDocSetRootElement(document.doc, node)
        }
    }

    func append(_ markup: PreparedMarkup) {
        for n in markup.nodes { add(xmlDocCopyNode(n.node, document.doc, 1)) }
    }

    func start(_ tags: ElementTags) {
        let node = xmlDocCopyNode(tags.node.node, document.doc, 2)!
        add(node)
        open.append((node, tags))
    }

    func attribute(_ name: String, _ value: String) {
        _ = xmlSetProp(open.last!.node, name, value)
    }

    func text(_ value: String) {
        guard !value.isEmpty else { return }
        add(xmlNewDocText(document.doc, value))
    }

    func end() {
        let e = open.removeLast()
        if e.tags.keepsOpen, e.node.pointee.children == nil, let t = xmlNewDocText(document.doc, "") { xmlAddChild(e.node, t) }
    }

    var takesWritten: Bool { false }

    func append(written: [UInt8]) { Issue.record("a tree takes no written bytes") }

    func finish() -> [UInt8] { MarkupDocument.serialize(document: document.doc, format: format) }
}

/// Every page is what libxml2 writes for the same tree with formatting off: every page of the
/// bundled build in both formats, and random hostile values in every context.
@Suite struct MarkupTests {
    static let report: Report = {
        let options = BuildOptions(inputs: repoPath("inputs"), scheme: repoPath("templates/suzhou-town"), asOf: Day(2026, 11, 23)!)
        return computeStage(try! readStage(options))
    }()

    @Test(arguments: OutputFormat.allCases)
    func everyBundledPageIsWhatLibxml2WritesForItsTree(format: OutputFormat) throws {
        let report = Self.report
        let writer = try Site(scheme: report.read.scheme, format: format)
        let libxml2 = try Site(scheme: report.read.scheme, format: format, sink: { TreeSink(format: $0) })
        var pages = 0
        func same(_ a: [OutputPage], _ b: [OutputPage]) {
            #expect(a.map(\.path) == b.map(\.path))
            for (x, y) in zip(a, b) where x.path.hasSuffix("." + format.fileExtension) {
                pages += 1
                let same = x.bytes == y.bytes
                #expect(same, "\(x.path): \(Golden.lineDiff(String(decoding: y.bytes, as: UTF8.self), String(decoding: x.bytes, as: UTF8.self)))")
            }
        }
        for job in writer.jobs(report) { same(try writer.render(job, report), try libxml2.render(job, report)) }
        let current = writer.results(report)[0].bytes
        same([try writer.changesPage(report, previous: flattenResults(current), current: current)],
             [try libxml2.changesPage(report, previous: flattenResults(current), current: current)])
        same([try writer.indexPage(report, years: [2024, 2025])], [try libxml2.indexPage(report, years: [2024, 2025])])
        #expect(pages >= 100)
    }

    /// Every context the serialisers tell apart: block and inline elements with and without
    /// text next to them, void and empty elements, URI and boolean attributes, `name` on `a`,
    /// script and style (raw text in HTML), SVG (its own namespace in XHTML), lists of 0–3 rows,
    /// elements that may or may not be there, and a shared part (`q:insert`).
    static let template = """
    <!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template" lang="zh-CN"><head><meta charset="UTF-8"/><title q:text="title">t</title><style q:text="title">s</style></head>
    <body><div q:each="r in rows"><p q:attr="class r.a; title r.b"><a q:attr="href r.c; name r.d" q:text="r.e">x</a> <span q:text="r.f">y</span></p><p><b q:if="r.flag">b</b><i q:text="r.a">i</i></p>
      <table><tr q:attr="id r.a"><td q:text="r.b">x</td><td></td><th><b q:text="r.c">z</b></th></tr><tr q:if="r.flag"><td q:text="r.d">x</td></tr></table>
      <ul><li q:text="r.d">a</li><li><img q:attr="src r.e; alt r.f"/></li><li q:each="x in r.list" q:text="x">l</li></ul>
      <pre q:text="r.a">p</pre><script q:text="r.b">s</script><form q:attr="action r.c"><input type="checkbox" q:attr="checked r.flag; name r.c; value r.d"/><select><option q:attr="selected r.flag" q:text="r.e">o</option></select></form>
      <svg xmlns="http://www.w3.org/2000/svg" q:attr="width r.a"><rect q:attr="x r.b"/><text q:text="r.c">t</text><g><circle/></g></svg>
      <div><div q:if="r.flag"><p q:text="r.f">p</p></div><section q:text="r.a">s</section><br/><hr/><span/><em q:if="r.flag">e</em></div><div q:text="r.b">d</div><div><span q:text="r.c">s</span></div>
      <div q:insert="r.part">part</div></div>
    <p><span q:text="title">s</span><div q:if="flag">d</div><table><tr><td q:text="title">x</td></tr></table><ul><li>l</li></ul></p><pre><div q:text="title">d</div><div q:if="flag">e</div></pre><param/><param/>
    <footer><p q:each="x in tail" q:text="x">f</p></footer>
    <div q:remove=""><section q:fragment="part"><b q:text="x">b</b><a href="#" q:attr="href x; title x">a</a><td q:text="x">t</td><br q:text="x"/></section></div></body></html>
    """

    /// No white space between tags at all, and elements 33 deep.
    static let dense = """
    <!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template"><head><meta charset="UTF-8"/><title q:text="title">t</title></head>\
    <body><div><div q:each="r in rows"><p q:if="r.flag"><b q:text="r.a">b</b></p><ul><li q:each="x in r.list"><span q:text="x">l</span></li></ul><table><tr><td q:text="r.b">x</td><td/></tr></table></div></div>\
    <svg xmlns="http://www.w3.org/2000/svg"><g><rect/><text q:text="title">t</text></g><g q:if="flag"><circle/></g></svg>\
    DEEP<br/><hr/></body></html>
    """.replacingOccurrences(of: "DEEP", with: String(repeating: "<div>", count: 33) + "<span q:text=\"title\">s</span><i/>" + String(repeating: "</div>", count: 33))

    /// The rarer cases: `xml:` attributes (boolean ones are written bare in HTML), upper-case
    /// names, a void element given text, texts merged from several values, XHTML inside SVG, an
    /// element in no namespace, empty html-like elements, and elements whose only content is
    /// an empty CDATA section.
    static let rare = """
    <!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template" xml:lang="zh"><head><meta charset="UTF-8"/><title q:text="title">t</title></head>
    <body><div q:each="r in rows"><input xml:checked="c" q:attr="xml:selected r.flag; xml:lang r.a"/><P><DIV q:text="r.b">d</DIV><TABLE><TR><TD q:text="r.c">c</TD></TR></TABLE></P>\
    <A HREF="x" q:attr="NAME r.d; SRC r.e">a</A><SCRIPT q:text="r.f">s</SCRIPT><BR q:text="r.a">b</BR><br q:text="r.b">b</br><param/><param/><pre><b>x</b><b>y</b></pre>\
    <p><span q:omit="" q:text="r.a">a</span><span q:omit="" q:text="r.b">b</span><span q:omit="" q:text="r.c">c</span></p><li q:text="r.d">l</li><li/><li/>\
    <svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><p q:text="r.e">p</p><span/></div></foreignObject><g><rect/></g></svg>\
    <div xmlns=""><x q:text="r.f">x</x><y/><td/></div><section><span q:omit="" q:each="x in r.list" q:text="x">l</span></section></div><b><![CDATA[]]></b><td><![CDATA[]]></td></body></html>
    """

    /// Pieces of hostile values: markup characters, quotes, blanks, control characters, NUL,
    /// `%` and URI delimiters, HTML's `&{…}` and `<!--…-->` attribute exceptions, UTF-8 (a
    /// character outside the BMP too).
    static let pieces = ["a", "Z", "0", " ", "\t", "\n", "\r", "<", ">", "&", "\"", "'", "%", "@", "/", "#", "?", "=", ";", "{", "}",
                         "<!--", "-->", "&{x}", "&amp;", "符离镇", "埇桥区", "\u{1}", "\u{7F}", "é", "😀", "+", ",", ":", ".", "\u{0}", "javascript:"]

    @Test(arguments: OutputFormat.allCases)
    func hostileValuesAreWrittenAsLibxml2WritesThem(format: OutputFormat) throws {
        let set = try TemplateSet(sources: ["p.xhtml": Self.template, "f.xhtml": Self.dense, "g.xhtml": Self.rare])
        var rng = SplitMix(seed: format == .html ? 1 : 2)
        func value() -> TemplateValue {
            let n = Int(rng.next() % 7)
            return .text((0..<n).map { _ in Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))] }.joined())
        }
        for round in 0..<450 {
            let rows: [TemplateValue] = (0..<Int(rng.next() % 4)).map { _ in
                var o: TemplateObject = ["flag": .bool(rng.next() % 2 == 0),
                                         "list": .list((0..<Int(rng.next() % 3)).map { _ in value() })]
                for k in ["a", "b", "c", "d", "e", "f"] { o[k] = value() }
                o["part"] = .part(SharedPart("part", in: "p.xhtml", context: ["x": value()]))
                return .object(o)
            }
            let context: TemplateValue = .object(["title": value(), "rows": .list(rows), "flag": .bool(rng.next() % 2 == 0),
                                                  "tail": .list((0..<Int(rng.next() % 3)).map { _ in value() })])
            let name = ["p.xhtml", "f.xhtml", "g.xhtml"][round % 3]
            let written = try set.render(name, context: context, format: format)
            let tree = TreeSink(format: format)
            try set.render(name, context: context, format: format, into: tree)
            let reference = tree.finish()
            let same = written == reference
            #expect(same, "round \(round): \(Golden.lineDiff(String(decoding: reference, as: UTF8.self), String(decoding: written, as: UTF8.self)))")
            if !same { break }
        }
    }

    /// The template's own white space is the page's: nothing added, nothing taken away.
    @Test(arguments: OutputFormat.allCases)
    func theTemplatesWhiteSpaceIsThePages(format: OutputFormat) throws {
        let source = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template"><head><meta charset="UTF-8"/><title>t</title></head><body><table>
          <tr q:each="r in rows"><td q:text="r">x</td>  <td>y</td></tr>
        </table><div><p>a</p><p q:if="flag">b</p></div></body></html>
        """
        let set = try TemplateSet(sources: ["p.xhtml": source])
        let out = String(decoding: try set.render("p.xhtml", context: .object(["rows": .list([.text("1"), .text("<2>")]), "flag": .bool(false)]),
                                               format: format), as: UTF8.self)
        let meta = format == .html ? "<meta charset=\"UTF-8\">" : "<meta charset=\"UTF-8\"/>"
        let html = format == .html ? "<html>" : "<html xmlns=\"http://www.w3.org/1999/xhtml\">"
        #expect(out == "<!DOCTYPE html>\n\(html)<head>\(meta)<title>t</title></head><body><table>\n  <tr><td>1</td>  <td>y</td></tr><tr><td>&lt;2&gt;</td>  <td>y</td></tr>\n</table><div><p>a</p></div></body></html>\n")
    }
}

/// A small seeded generator (the same values every run).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
