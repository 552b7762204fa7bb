import Foundation
import Testing
@testable import QualityTown

/// The page writer (every build) must write exactly what libxml2 writes for the same tree
/// (`XMLBuilder`, the reference): every page of the bundled build in both formats, and random
/// hostile values in every context the serialisers treat differently.
@Suite struct PageWriterTests {
    static let report: Report = {
        let options = BuildOptions(inputs: repoPath("inputs"), scheme: repoPath("templates/suzhou-town"), asOf: Day(2026, 11, 23)!)
        return computeStage(try! readStage(options))
    }()

    @Test(arguments: OutputFormat.allCases)
    func everyBundledPageIsWrittenAsLibxml2WritesIt(format: OutputFormat) throws {
        let report = Self.report
        let writer = try Site(scheme: report.read.scheme, format: format)
        let libxml2 = try Site(scheme: report.read.scheme, format: format, libxml2Tree: true)
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

    /// Every context the two serialisers tell apart: block and inline elements with and
    /// without text next to them, p/pre (no newlines inside), void and empty elements, URI and
    /// boolean attributes, `name` on `a`, script and style (raw text in HTML), SVG (its own
    /// namespace in XHTML), lists of 0–3 rows and elements that may or may not be there.
    static let template = """
    <!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template" lang="zh-CN"><head><meta charset="UTF-8"/><title q:text="title">t</title><style q:text="title">s</style></head>
    <body><div q:each="r in rows"><p q:attr="class r.a; title r.b"><a q:attr="href r.c; name r.d" q:text="r.e">x</a> <span q:text="r.f">y</span></p><p><b q:if="r.flag">b</b><i q:text="r.a">i</i></p>
      <table><tr q:attr="id r.a"><td q:text="r.b">x</td><td></td><th><b q:text="r.c">z</b></th></tr><tr q:if="r.flag"><td q:text="r.d">x</td></tr></table>
      <ul><li q:text="r.d">a</li><li><img q:attr="src r.e; alt r.f"/></li><li q:each="x in r.list" q:text="x">l</li></ul>
      <pre q:text="r.a">p</pre><script q:text="r.b">s</script><form q:attr="action r.c"><input type="checkbox" q:attr="checked r.flag; name r.c; value r.d"/><select><option q:attr="selected r.flag" q:text="r.e">o</option></select></form>
      <svg xmlns="http://www.w3.org/2000/svg" q:attr="width r.a"><rect q:attr="x r.b"/><text q:text="r.c">t</text><g><circle/></g></svg>
      <div><div q:if="r.flag"><p q:text="r.f">p</p></div><section q:text="r.a">s</section><br/><hr/><span/><em q:if="r.flag">e</em></div><div q:text="r.b">d</div><div><span q:text="r.c">s</span></div></div>
    <p><span q:text="title">s</span><div q:if="flag">d</div><table><tr><td q:text="title">x</td></tr></table><ul><li>l</li></ul></p><pre><div q:text="title">d</div><div q:if="flag">e</div></pre><param/><param/>
    <footer><p q:each="x in tail" q:text="x">f</p></footer></body></html>
    """

    /// No white space at all, so libxml2's XHTML serialiser formats (newlines, two spaces an
    /// indentation level, at most 30 levels) wherever an element has no text child.
    static let formatted = """
    <!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template"><head><meta charset="UTF-8"/><title q:text="title">t</title></head>\
    <body><div><div q:each="r in rows"><p q:if="r.flag"><b q:text="r.a">b</b></p><ul><li q:each="x in r.list"><span q:text="x">l</span></li></ul><table><tr><td q:text="r.b">x</td><td/></tr></table></div></div>\
    <svg xmlns="http://www.w3.org/2000/svg"><g><rect/><text q:text="title">t</text></g><g q:if="flag"><circle/></g></svg>\
    DEEP<br/><hr/></body></html>
    """.replacingOccurrences(of: "DEEP", with: String(repeating: "<div>", count: 33) + "<span q:text=\"title\">s</span><i/>" + String(repeating: "</div>", count: 33))

    /// The rarer cases: `xml:` attributes (boolean ones are written bare in HTML), upper-case
    /// names, a void element given text, texts merged from several values, elements starting
    /// with p or P, XHTML inside SVG, an element in no namespace, empty html-like elements, and
    /// elements whose only content is an empty CDATA section.
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
    /// `%` and URI delimiters, HTML's `&{…}` and `<!--…-->` attribute exceptions, UTF-8.
    static let pieces = ["a", "Z", "0", " ", "\t", "\n", "\r", "<", ">", "&", "\"", "'", "%", "@", "/", "#", "?", "=", ";", "{", "}",
                         "<!--", "-->", "&{x}", "&amp;", "符离镇", "埇桥区", "\u{1}", "\u{7F}", "é", "😀", "+", ",", ":", ".", "\u{0}", "javascript:"]

    @Test(arguments: OutputFormat.allCases)
    func hostileValuesAreWrittenAsLibxml2WritesThem(format: OutputFormat) throws {
        let set = try TemplateSet(sources: ["p.xhtml": Self.template, "f.xhtml": Self.formatted, "g.xhtml": Self.rare])
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
                return .object(o)
            }
            let context: TemplateValue = .object(["title": value(), "rows": .list(rows), "flag": .bool(rng.next() % 2 == 0),
                                                  "tail": .list((0..<Int(rng.next() % 3)).map { _ in value() })])
            let name = ["p.xhtml", "f.xhtml", "g.xhtml"][round % 3]
            let written = try set.render(name, context: context, format: format)
            let reference = try set.renderWithLibxml2Tree(name, context: context, format: format)
            let same = written == reference
            #expect(same, "round \(round): \(Golden.lineDiff(String(decoding: reference, as: UTF8.self), String(decoding: written, as: UTF8.self)))")
            if !same { break }
        }
    }
}

extension PageWriterTests {
    /// Builder calls a template never makes, as the PageBuilder contract allows them: an
    /// attribute set again by name (it keeps its place, as xmlSetProp), texts appended one
    /// after another, an element given children after its siblings' subtrees ended, and a void
    /// element given an element.
    static func build<B: PageBuilder>(_ b: inout B) {
        let html = b.element(.named("html"), namespace: XMLNamespaceURI.xhtml, parent: nil)
        let body = b.element(.named("body"), namespace: XMLNamespaceURI.xhtml, parent: html)
        let div = b.element(.named("div"), namespace: XMLNamespaceURI.xhtml, parent: body)
        b.setAttribute(div, .named("class"), "a")
        b.setAttribute(div, .named("id"), "x\"y")
        b.setAttribute(div, .named("class"), "<b&>")
        b.setAttribute(div, .named("title"), "t")
        b.setAttribute(div, .named("id"), "z")
        let table = b.element(.named("table"), namespace: XMLNamespaceURI.xhtml, parent: div)
        for k in 0..<3 {
            let tr = b.element(.named("tr"), namespace: XMLNamespaceURI.xhtml, parent: table)
            let td = b.element(.named("td"), namespace: XMLNamespaceURI.xhtml, parent: tr)
            b.appendText(td, "1")
            b.appendText(td, "<\(k)>")
            _ = b.element(.named("td"), namespace: XMLNamespaceURI.xhtml, parent: tr)
        }
        b.appendText(div, "after")
        let br = b.element(.named("br"), namespace: XMLNamespaceURI.xhtml, parent: body)
        let lost = b.element(.named("b"), namespace: XMLNamespaceURI.xhtml, parent: br)
        b.setAttribute(lost, .named("class"), "c")
        b.appendText(lost, "never written in HTML")
        _ = b.element(.named("p"), namespace: XMLNamespaceURI.xhtml, parent: body)
    }

    /// The eight-bytes-at-a-time test for text copied unchanged, against the byte-by-byte one,
    /// at every length and position (UTF-8 bytes, the markup characters and control bytes).
    @Test func textNeedingNoEscapeIsToldAsByteByByte() {
        var rng = SplitMix(seed: 11)
        let alphabet: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x25, 0x26, 0x27, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
                                 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBC, 0xE7, 0xFF]
        for _ in 0..<4000 {
            let n = Int(rng.next() % 40)
            var bytes = (0..<n).map { _ in rng.next() % 3 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : UInt8(0x80 + rng.next() % 0x40) }
            if rng.next() % 2 == 0 { bytes = bytes.map { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E ? 0x41 : $0 } }
            let slow = bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") }
            #expect(bytes.withUnsafeBufferPointer { PageBytes.hasMarkupOrControl($0) } == slow, "\(bytes)")
        }
    }

    @Test(arguments: OutputFormat.allCases)
    func builderCallsBeyondTemplatesAreWrittenAsLibxml2WritesThem(format: OutputFormat) {
        let reference: [UInt8] = {
            var b = XMLBuilder(format: format)
            Self.build(&b)
            return b.serialize()
        }()
        let written: [UInt8]
        switch format {
        case .html:
            var b = HTMLPageWriter()
            Self.build(&b)
            written = b.serialize()
        case .xhtml:
            var b = PageWriter()
            Self.build(&b)
            written = b.serialize()
        }
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        #expect(String(decoding: written, as: UTF8.self).contains("title=\"t\""))
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
