import Testing
import Foundation
@testable import QualityTown

/// One small inline template per directive, rendered in both formats and parsed back.
@Suite struct TemplateTests {
    static let head = """
    <!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template"><head><meta charset="UTF-8"/><title>t</title></head>
    """

    func page(_ body: String) -> String { Self.head + "<body>" + body + "</body></html>" }

    func render(_ body: String, _ context: [String: TemplateValue], format: OutputFormat = .html,
                extra: [String: String] = [:]) throws -> String {
        let set = try TemplateSet(sources: ["p.xhtml": page(body)].merging(extra) { a, _ in a })
        return String(decoding: try set.render("p.xhtml", context: .object(TemplateObject(context)), format: format), as: UTF8.self)
    }

    /// The rendered body's text with whitespace collapsed (the templates' own white space only:
    /// pages are written with formatting off).
    func bodyText(_ html: String) -> String {
        let (doc, _) = XMLDocument.parseHTML(Array(html.utf8), name: "out")
        let body = doc?.root?.childElements.first { $0.name == "body" }
        return (body?.textContent ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// A shared part is rendered once per template set and format and copied wherever it is
    /// inserted, giving the bytes the same fragment gives rendered in place (q:use); null
    /// inserts nothing, and a value that is not a part is an error naming the line.
    @Test func sharedPartsAreRenderedOnceAndInsertedAsRenderedInPlace() throws {
        let fragments = Self.head + """
        <body><table q:fragment="t"><tr q:each="r in s.rows"><td q:text="r.a">a</td><td><b q:if="r.b" q:text="r.b">b</b></td></tr></table></body></html>
        """
        let inserted = page("<h1>h</h1>\n<table q:insert=\"part\">x</table><p q:insert=\"none\">n</p>")
        let used = page("<h1>h</h1>\n<table q:use=\"f.xhtml#t\">x</table>")
        let set = try TemplateSet(sources: ["f.xhtml": fragments, "a.xhtml": inserted, "b.xhtml": used])
        let s: TemplateValue = .object(["rows": .list([.object(["a": .text("1"), "b": .text("")]), .object(["a": .text("<2>"), "b": .text("x&y")])])])
        let part = SharedPart("t", in: "f.xhtml", context: ["s": s])
        for format in OutputFormat.allCases {
            let a = try set.render("a.xhtml", context: .object(["part": .part(part), "none": .null]), format: format)
            let again = try set.render("a.xhtml", context: .object(["part": .part(part), "none": .null]), format: format)
            let b = try set.render("b.xhtml", context: .object(["s": s]), format: format)
            #expect(a == b && again == a)
            #expect(String(decoding: a, as: UTF8.self).contains("&lt;2&gt;"))
        }
        #expect(part.renderings == 2)
        // Another template set renders it for itself.
        let other = try TemplateSet(sources: ["f.xhtml": fragments.replacingOccurrences(of: "<b ", with: "<i ").replacingOccurrences(of: "</b>", with: "</i>"),
                                              "a.xhtml": inserted])
        #expect(String(decoding: try other.render("a.xhtml", context: .object(["part": .part(part), "none": .null]), format: .html),
                       as: UTF8.self).contains("<i>x&amp;y</i>"))
        #expect(part.renderings == 3)
        #expect(throws: TemplateError.self) {
            _ = try set.render("a.xhtml", context: .object(["part": .text("<b>"), "none": .null]), format: .html)
        }
    }

    @Test func objectsAreEqualWhateverTheOrderAndNilRemoves() {
        var a: TemplateObject = ["x": .text("1"), "y": .bool(true)]
        let b: TemplateObject = ["y": .bool(true), "x": .text("1")]
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a["x"] == .text("1") && a["z"] == nil)
        a["x"] = .text("2")
        #expect(a != b && a["x"] == .text("2"))
        a["y"] = nil
        #expect(a == ["x": .text("2")])
        #expect(TemplateObject(["b": .null, "a": .null]) == ["a": .null, "b": .null])
        // Names are compared as written: among names of the same length the right one is found,
        // and a name spelt with other bytes (é decomposed) is another name, as in XML.
        let names: TemplateObject = ["ab": .text("1"), "ac": .text("2"), "caf\u{E9}": .text("3")]
        #expect(names["ac"] == .text("2") && names["ab"] == .text("1") && names["a"] == nil)
        #expect(names["caf\u{E9}"] == .text("3") && names["cafe\u{301}"] == nil)
    }

    @Test func textReplacesChildrenWithOneTextNode() throws {
        let out = try render(#"<p q:text="town.name">示例镇</p>"#, ["town": .object(["name": .text("符离镇")])])
        #expect(out.contains("<p>符离镇</p>"))
        #expect(!out.contains("示例镇"))
    }

    @Test func markupInAValueComesOutAsText() throws {
        let evil = "<script>alert(1)</script> & \"x\""
        for format in OutputFormat.allCases {
            let out = try render(#"<p q:text="v" q:attr="title v">x</p>"#, ["v": .text(evil)], format: format)
            #expect(!out.contains("<script>"), "\(format)")
            #expect(out.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"), "\(format)")
            let (doc, _) = format == .html ? XMLDocument.parseHTML(Array(out.utf8), name: "o") : XMLDocument.parseXML(Array(out.utf8), name: "o")
            let p = try #require(doc?.root?.childElements.last?.childElements.first)
            #expect(p.name == "p" && p.textContent == evil && p.attribute("title") == evil)
            #expect(p.childElements.isEmpty)
        }
    }

    @Test func attrSetsRemovesAndHandlesBooleans() throws {
        let out = try render(##"<a href="#" class="x" q:attr="href link; class none; hidden yes; title no">a</a>"##,
                             ["link": .text("2025/a.html"), "none": .null, "yes": .bool(true), "no": .bool(false)])
        #expect(out.contains(#"href="2025/a.html""#))
        #expect(!out.contains("class="))
        #expect(out.contains("hidden"))
        #expect(!out.contains("title="))
    }

    @Test func eachRepeatsWithLoopVariables() throws {
        let out = try render(#"<ul><li q:each="t in towns"><span q:text="loop.index">1</span>.<span q:text="t">x</span><em q:if="loop.last">!</em></li></ul>"#,
                             ["towns": .list([.text("甲"), .text("乙"), .text("丙")])])
        #expect(bodyText(out) == "1.甲2.乙3.丙!")
    }

    @Test func nestedEachAndWith() throws {
        let out = try render(#"<div q:each="c in counties" q:with="n c.name"><p q:each="t in c.towns"><span q:text="n">县</span>/<span q:text="t">镇</span></p></div>"#,
                             ["counties": .list([.object(["name": .text("萧县"), "towns": .list([.text("龙城镇"), .text("黄口镇")])]),
                                                 .object(["name": .text("泗县"), "towns": .list([])])])])
        #expect(bodyText(out) == "萧县/龙城镇萧县/黄口镇")
    }

    @Test func ifAndUnless() throws {
        let ctx: [String: TemplateValue] = ["t": .bool(true), "f": .bool(false), "e": .text(""), "l": .list([]), "n": .null]
        let out = try render(#"<p q:if="t">A</p><p q:if="f">B</p><p q:if="e">C</p><p q:if="l">D</p><p q:unless="n">E</p><p q:unless="t">F</p>"#, ctx)
        #expect(bodyText(out) == "AE")
    }

    @Test func omitAndRemove() throws {
        let out = try render(#"<div q:omit=""><b>keep</b></div><p q:remove="">sample only</p>"#, [:])
        #expect(out.contains("<b>keep</b>"))
        #expect(!out.contains("<div>") && !out.contains("sample only"))
    }

    @Test func layoutWithSlotsAndDefaults() throws {
        let layout = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template" q:fragment="page">
        <head><meta charset="UTF-8"/><title q:slot="title">默认标题</title></head>
        <body><nav q:slot="nav">默认导航</nav><main q:slot="content">默认内容</main></body></html>
        """
        let pageT = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template" q:use="layout.xhtml#page">
        <head><title q:fill="title" q:text="title">示例</title></head>
        <body><main q:fill="content"><p q:text="body">示例内容</p></main></body></html>
        """
        let set = try TemplateSet(sources: ["layout.xhtml": layout, "page.xhtml": pageT])
        let out = String(decoding: try set.render("page.xhtml", context: .object(["title": .text("县区汇总"), "body": .text("正文")]), format: .html), as: UTF8.self)
        #expect(out.contains("<title>县区汇总</title>"))
        #expect(out.contains("<nav>默认导航</nav>"))
        #expect(out.contains("<main><p>正文</p></main>"))
        #expect(!out.contains("默认内容") && !out.contains("示例"))
    }

    @Test func oneFragmentReusedByTwoPagesAndRecursively() throws {
        let frags = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" xmlns:q="urn:x-qtown:template"><head><meta charset="UTF-8"/><title>f</title></head><body>
        <table q:fragment="scores"><tr q:each="r in rows"><td q:text="r">1</td></tr></table>
        <ul><li q:fragment="node"><span q:text="u.name">n</span><ul q:if="u.kids"><li q:each="u in u.kids" q:use="#node">k</li></ul></li></ul>
        </body></html>
        """
        let a = page(#"<h1>A</h1><table q:use="frags.xhtml#scores">x</table>"#)
        let b = page(#"<h1>B</h1><div q:with="rows other"><table q:use="frags.xhtml#scores">x</table></div><ul><li q:use="frags.xhtml#node">n</li></ul>"#)
        let set = try TemplateSet(sources: ["frags.xhtml": frags, "a.xhtml": a, "b.xhtml": b])
        let ctx: TemplateValue = .object(["rows": .list([.text("1"), .text("2")]), "other": .list([.text("9")]),
                                          "u": .object(["name": .text("市"), "kids": .list([.object(["name": .text("县"), "kids": .list([.object(["name": .text("镇"), "kids": .null])])])])])])
        let outA = String(decoding: try set.render("a.xhtml", context: ctx, format: .html), as: UTF8.self)
        let outB = String(decoding: try set.render("b.xhtml", context: ctx, format: .html), as: UTF8.self)
        #expect(bodyText(outA) == "A12")
        #expect(bodyText(outB).replacingOccurrences(of: " ", with: "") == "B9市县镇")
    }

    @Test func unknownDirectiveFailsWithItsLine() {
        let src = Self.head + "<body>\n<p>ok</p>\n<p q:txet=\"x\">typo</p></body></html>"
        do {
            _ = try TemplateSet(sources: ["bad.xhtml": src])
            Issue.record("accepted an unknown directive")
        } catch {
            #expect(error.file == "bad.xhtml")
            #expect(error.line == 4)
            #expect(error.message.contains("q:txet"))
        }
    }

    @Test func unknownNameFailsWithItsLine() throws {
        let set = try TemplateSet(sources: ["p.xhtml": Self.head + "<body>\n\n<p q:text=\"town.nmae\">x</p></body></html>"])
        do {
            _ = try set.render("p.xhtml", context: .object(["town": .object(["name": .text("a")])]), format: .html)
            Issue.record("rendered an unknown name")
        } catch {
            #expect(error.line == 4 && error.message.contains("nmae"))
        }
    }

    @Test func unknownFragmentFailsAtLoad() {
        #expect(throws: TemplateError.self) { try TemplateSet(sources: ["p.xhtml": page(##"<div q:use="#nope">x</div>"##)]) }
    }

    @Test func entitiesAndExternalDTDsAreRefused() {
        let laughs = """
        <?xml version="1.0"?>
        <!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
        <html xmlns="http://www.w3.org/1999/xhtml"><body><p>&b;</p></body></html>
        """
        #expect(throws: TemplateError.self) { try TemplateSet(sources: ["x.xhtml": laughs]) }
        let external = """
        <?xml version="1.0"?>
        <!DOCTYPE html SYSTEM "http://example.invalid/evil.dtd">
        <html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>
        """
        #expect(throws: TemplateError.self) { try TemplateSet(sources: ["y.xhtml": external]) }
        let fileEntity = """
        <?xml version="1.0"?>
        <!DOCTYPE html [<!ENTITY e SYSTEM "file:///etc/passwd">]>
        <html xmlns="http://www.w3.org/1999/xhtml"><body><p>&e;</p></body></html>
        """
        #expect(throws: TemplateError.self) { try TemplateSet(sources: ["z.xhtml": fileEntity]) }
        #expect(throws: TemplateError.self) { try TemplateSet(sources: ["w.xhtml": page("<p>&nbsp;</p>")]) }
    }

    @Test func htmlOutputRoundTripsThroughTheHTMLParser() throws {
        let out = try render(#"<section><h2 q:text="t">x</h2><table><tr><td></td><td q:text="t">y</td></tr></table><br/><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect x="0" y="0" width="5" height="5"/></svg></section>"#,
                             ["t": .text("宿州市符离镇")])
        #expect(out.hasPrefix("<!DOCTYPE html>"))
        #expect(out.contains("宿州市符离镇") && !out.contains("&#"))
        #expect(out.components(separatedBy: "charset").count == 2)
        #expect(out.contains("<td></td>"))
        let (doc, messages) = XMLDocument.parseHTML(Array(out.utf8), name: "o.html")
        #expect(doc != nil)
        #expect(messages.filter { !$0.isUnknownHTMLTag }.isEmpty, "\(messages)")
        #expect(out.contains("<rect"))
    }

    @Test func xhtmlOutputIsWellFormedInTheXHTMLNamespace() throws {
        let out = try render(#"<section><p q:text="t">x</p><table><tr><td></td></tr></table><br/><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg></section>"#,
                             ["t": .text("宿州市")], format: .xhtml)
        let (doc, messages) = XMLDocument.parseXML(Array(out.utf8), name: "o.xhtml")
        #expect(messages.isEmpty, "\(messages)")
        #expect(doc?.root?.namespaceURI == XMLNamespaceURI.xhtml)
        #expect(out.contains("宿州市") && !out.contains("&#"))
        #expect(out.components(separatedBy: "charset").count == 2)
        #expect(!out.contains("<?xml"))
        #expect(out.contains("<td></td>"))
        #expect(out.contains(#"<svg xmlns="http://www.w3.org/2000/svg""#))
        #expect(!out.contains("urn:x-qtown:template"))
    }

    @Test func renderingIsDeterministic() throws {
        let ctx: [String: TemplateValue] = ["rows": .list((0..<50).map { .object(["a": .text("\($0)"), "b": .text("行\($0)")]) })]
        let body = #"<table><tr q:each="r in rows" q:attr="id r.a"><td q:text="r.a">1</td><td q:text="r.b">2</td></tr></table>"#
        for f in OutputFormat.allCases { #expect(try render(body, ctx, format: f) == render(body, ctx, format: f)) }
    }
}

@Suite struct XMLTests {
    @Test func parseErrorsCarryLineAndColumn() {
        let (doc, messages) = XMLDocument.parseXML(Array("<a>\n<b>\n</a>".utf8), name: "bad.xml")
        #expect(doc == nil)
        let first = messages.first
        #expect(first?.line == 3)
        #expect((first?.column ?? 0) > 0)
        #expect(first?.file == "bad.xml")
    }

    @Test func schemaValidationReportsTheLine() throws {
        let xsd = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="r"><xs:complexType><xs:sequence>
        <xs:element name="n" type="xs:integer" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element></xs:schema>
        """
        let (sdoc, _) = XMLDocument.parseXML(Array(xsd.utf8), name: "s.xsd")
        let schema = try XMLSchema(try #require(sdoc))
        let (good, _) = XMLDocument.parseXML(Array("<r><n>1</n></r>".utf8), name: "g.xml")
        #expect(schema.validate(try #require(good)).isEmpty)
        let (bad, _) = XMLDocument.parseXML(Array("<r>\n<n>1</n>\n<n>x</n></r>".utf8), name: "b.xml")
        let problems = schema.validate(try #require(bad))
        #expect(problems.count == 1 && problems[0].line == 3)
    }

    @Test func theShippedSchemeValidatesAndLoads() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        #expect(scheme.id == "suzhou-town")
        #expect(scheme.indicators.count == 58)
        #expect(scheme.rates.count == 12)
        #expect(scheme.indicator("station_stars")?.range == 0...5)
        #expect(scheme.indicators.filter(\.countyLevel).map(\.id) == ["emission_ok", "air_good", "air_goal", "water_better", "noise_ok"])
    }

    @Test func aBrokenSchemeIsReportedWithItsLine() throws {
        let dir = temporaryFolder("scheme")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/bad", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repoPath("templates/scheme.xsd"), toPath: dir + "/scheme.xsd")
        var xml = try String(contentsOfFile: repoPath("templates/suzhou-town/scheme.xml"), encoding: .utf8)
        xml = xml.replacingOccurrences(of: #"numerator="agri_passed""#, with: #"numerator="agri_pased""#)
        try xml.write(toFile: dir + "/bad/scheme.xml", atomically: true, encoding: .utf8)
        do {
            _ = try loadScheme(dir + "/bad")
            Issue.record("loaded a broken scheme")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems[0].message.contains("agri_pased"))
            #expect((error.problems[0].location.line ?? 0) > 60)
        }
    }

    /// The shipped scheme with `edit` applied, loaded from a temporary copy: its problems (none: []).
    func loadEdited(_ edit: (String) -> String) throws -> [Diagnostic] {
        let dir = temporaryFolder("scheme")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/edited", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repoPath("templates/scheme.xsd"), toPath: dir + "/scheme.xsd")
        let xml = edit(try String(contentsOfFile: repoPath("templates/suzhou-town/scheme.xml"), encoding: .utf8))
        try xml.write(toFile: dir + "/edited/scheme.xml", atomically: true, encoding: .utf8)
        do {
            _ = try loadScheme(dir + "/edited")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func pageWordsComeFromTheSchemeAndFillTheirPlaceholders() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        let county = scheme.page("county")
        #expect(PageWording.fill(county.title, ["unit": "埇桥区"]) == "埇桥区质量强镇（街道）创建情况")
        #expect(PageWording.fill(county.subtitle, ["year": "2025", "asOf": "2026年11月23日"]) == "2025 年度 · 县区汇总（截至 2026年11月23日）")
        #expect(scheme.page("city").document == nil)
        #expect(PageWording.fill("{unit}与{county}（{year}）", ["unit": "甲"]) == "甲与（）")
        #expect(PageWording.names(in: "{unit}{year}") == ["unit", "year"])
        #expect(PageWording.names(in: "{unit") == nil)
        #expect(PageWording.names(in: "unit}") == nil)
    }

    @Test func aPageWordWithAnUnknownPlaceholderIsRefused() throws {
        let problems = try loadEdited { $0.replacingOccurrences(of: #"title="{unit}质量强镇（街道）创建情况""#, with: #"title="{县区}质量强镇（街道）创建情况""#) }
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("{县区} 不是可用的占位符") == true)
        let unpaired = try loadEdited { $0.replacingOccurrences(of: #"subtitle="{year} 年度""#, with: #"subtitle="{year 年度""#) }
        #expect(unpaired.count == 1 && unpaired.first?.message.contains("花括号不成对") == true)
    }

    @Test func stageNamesComeFromTheLifecycleAndEveryStageMustHaveOne() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        #expect(scheme.stageLabel("filed") == "已备案（创建中）")
        #expect(scheme.stageLabel("not-applied") == "未申报" && scheme.stageLabel("expired") == "命名已到期")
        let renamed = try loadEdited { $0.replacingOccurrences(of: #"label="已命名""#, with: #"label="已命名为质量强镇""#) }
        #expect(renamed.isEmpty)
        // A stage a role names must be declared: naming the file and the element's line.
        let problems = try loadEdited { $0.replacingOccurrences(of: #"<stage id="expired" label="命名已到期"/>"#, with: "") }
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("lapsed-stage 引用了未声明的阶段 expired") == true)
        #expect(problems.first?.location.file == "edited/scheme.xml" && (problems.first?.location.line ?? 0) > 280)
        // A step's stage and failed likewise.
        let step = try loadEdited { $0.replacingOccurrences(of: #"stage="recommended" label="县级推荐""#, with: #"stage="recomended" label="县级推荐""#) }
        #expect(step.count == 1 && step.first?.message.contains("步骤“县级推荐”的 stage 引用了未声明的阶段 recomended") == true)
        let failed = try loadEdited { $0.replacingOccurrences(of: #"failed="acceptance-failed""#, with: #"failed="failed""#) }
        #expect(failed.count == 1 && failed.first?.message.contains("failed 引用了未声明的阶段 failed") == true)
        let creating = try loadEdited { $0.replacingOccurrences(of: #"creating-stages="filed accepted""#, with: #"creating-stages="filed acepted""#) }
        #expect(creating.count == 1 && creating.first?.message.contains("creating-stages 引用了未声明的阶段 acepted") == true)
        // The name period must start at a step.
        let unreached = try loadEdited { $0.replacingOccurrences(of: #"name-stage="named""#, with: #"name-stage="accepted""#)
            .replacingOccurrences(of: #"stage="accepted" label="验收""#, with: #"stage="filed" label="验收""#) }
        #expect(unreached.count == 1 && unreached.first?.message.contains("name-stage“accepted”不是任何步骤") == true)
        // A stage of any id may be declared (the programme's data), a malformed id is refused by the schema.
        let renamedStage = try loadEdited { $0.replacingOccurrences(of: #"<stage id="expired""#, with: #"<stage id="lapsed""#)
            .replacingOccurrences(of: #"lapsed-stage="expired""#, with: #"lapsed-stage="lapsed""#) }
        #expect(renamedStage.isEmpty)
        let unknown = try loadEdited { $0.replacingOccurrences(of: #"<stage id="expired""#, with: #"<stage id="Expired!""#) }
        #expect(unknown.first?.code == "scheme-invalid")
    }

    @Test func aGoalWithoutALifecycleIsRefused() throws {
        let problems = try loadEdited { xml in
            let start = xml.range(of: "  <lifecycle ")!.lowerBound, end = xml.range(of: "</lifecycle>\n")!.upperBound
            return xml.replacingCharacters(in: start..<end, with: "")
        }
        #expect(problems.contains { $0.message.contains("创建目标 <goal> 按生命周期的阶段计数") })
    }

    @Test func stageNoticesComeFromTheLifecycleAndEveryNoticeMustBeThere() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        #expect(scheme.lifecycleNotice("expiring", ["date": "2026年12月28日", "days": "180"]) == "命名将于 2026年12月28日 到期（180 天内）")
        #expect(scheme.lifecycleNotice("revocation-unknown", ["clause": "六、保障措施（四）"])
                == "本年度事故数据有误（数据错误），无法判断是否应提请撤销命名（六、保障措施（四））")
        let missing = try loadEdited { $0.replacingOccurrences(of: #"<notice id="expired" text="命名已于 {date} 到期"/>"#, with: "") }
        #expect(missing.count == 1 && missing.first?.message.contains(#"<notice id="expired""#) == true)
        let unknown = try loadEdited { $0.replacingOccurrences(of: #"text="创建期至 {date}""#, with: #"text="创建期至 {日期}""#) }
        #expect(unknown.count == 1 && unknown.first?.message.contains("{日期} 不是可用的占位符") == true)
    }

    @Test func aSchemeWithoutPagesOrAPlanIsRefused() throws {
        let problems = try loadEdited { xml in
            let start = xml.range(of: "  <pages>")!.lowerBound, end = xml.range(of: "</pages>\n")!.upperBound
            return xml.replacingCharacters(in: start..<end, with: "")
        }
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains(#"<page id="town">"#) == true)
        #expect(problems.first?.message.contains(#"<page id="forms-bundle">"#) == true)
        #expect(problems.first?.message.contains(#"<page id="changes">"#) == true)
    }

    @Test func resultFieldsStatusesAndFlagsAreTheSchemesWords() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        #expect(scheme.field("item", ["n": "9"]) == "评估细则第9项得分")
        #expect(scheme.field("score.rank") == "全市名次" && scheme.field("changes.stages") == "申报资格或创建阶段")
        #expect(scheme.eligibilityLabel(.undetermined) == "待定（缺数据）")
        #expect(scheme.stageFlag("revocation-unknown") == "事故数据错误")
        #expect(scheme.goal?.namedLabel == "已命名" && scheme.goal?.creatingLabel == "创建中")
        // Each is required, and a field's placeholders are checked.
        let status = try loadEdited { $0.replacingOccurrences(of: #"<status id="undetermined" label="待定（缺数据）"/>"#, with: "") }
        #expect(status.count == 1 && status.first?.message.contains(#"<status id="undetermined""#) == true)
        let flag = try loadEdited { $0.replacingOccurrences(of: #"<flag id="expiring" label="即将到期"/>"#, with: "") }
        #expect(flag.count == 1 && flag.first?.message.contains(#"<flag id="expiring""#) == true)
        let field = try loadEdited { $0.replacingOccurrences(of: #"<field id="score.rank" label="全市名次"/>"#, with: "") }
        #expect(field.count == 1 && field.first?.message.contains(#"<field id="score.rank">"#) == true)
        #expect((field.first?.location.line ?? 0) > 300)
        let placeholder = try loadEdited { $0.replacingOccurrences(of: "评估细则第{n}项得分", with: "评估细则第{item}项得分") }
        #expect(placeholder.count == 1 && placeholder.first?.message.contains("{item} 不是可用的占位符") == true)
        let none = try loadEdited { $0.replacingOccurrences(of: #"label="命名到期日""#, with: #"label="{n}到期日""#) }
        #expect(none.count == 1 && none.first?.message.contains("该字段没有占位符") == true)
        let goalWords = try loadEdited { $0.replacingOccurrences(of: #" named-label="已命名""#, with: "") }
        #expect(goalWords.first?.code == "scheme-invalid")
    }

    @Test func theAssessmentSheetAndItsColumnsAreTheSchemes() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        let a = try #require(scheme.rubric?.assessment)
        #expect(a.sheet == "assessments" && a.item == "条目" && a.year == "年度")
        #expect(a.order == [.reviewed, .preliminary, .selfScored] && a.columns[.selfScored] == "自评分" && a.reviewedNote == "核定说明")
        #expect(scheme.lifecycle?.sheet == "applications")
        let sheet = try loadEdited { $0.replacingOccurrences(of: #"<assessment sheet="assessments""#, with: #"<assessment sheet="scores""#) }
        #expect(sheet.count == 1 && sheet.first?.message.contains("引用的输入表 scores 不在 <sheets> 中") == true)
        let column = try loadEdited { $0.replacingOccurrences(of: #"item="条目""#, with: #"item="项目""#) }
        #expect(column.count == 1 && column.first?.message.contains("评分表的 item 列“项目”不是输入表 assessments（assessments.csv）的列") == true)
        let score = try loadEdited { $0.replacingOccurrences(of: #"<score role="preliminary" column="初审分" label="初审"/>"#, with: "") }
        #expect(score.count == 1 && score.first?.message.contains(#"<score role="preliminary""#) == true)
        let note = try loadEdited { $0.replacingOccurrences(of: #" note="核定说明""#, with: "") }
        #expect(note.count == 1 && note.first?.message.contains("reviewed 分数列需要 note") == true)
        let scoreColumn = try loadEdited { $0.replacingOccurrences(of: #"column="初审分""#, with: #"column="复审分""#) }
        #expect(scoreColumn.count == 1 && scoreColumn.first?.message.contains("preliminary 分数列“复审分”") == true)
        let applications = try loadEdited { $0.replacingOccurrences(of: #"<lifecycle sheet="applications""#, with: #"<lifecycle sheet="filings""#) }
        #expect(applications.contains { $0.message.contains("生命周期 引用的输入表 filings 不在 <sheets> 中") })
        let step = try loadEdited { $0.replacingOccurrences(of: #"<step column="推荐日期""#, with: #"<step column="推荐时间""#) }
        #expect(step.count == 1 && step.first?.message.contains("步骤“县级推荐”的 column“推荐时间”不是输入表 applications") == true)
    }

    @Test func theAssessedTierAndTheTiersWordsAreTheSchemes() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        #expect(scheme.assessedTier == .town && scheme.assessedName == "乡镇（街道）")
        #expect(scheme.wholeAreaWord(.city) == "全市" && scheme.wholeAreaWord(.county) == "全县（区）")
        // The compare rule is described with the tier it pools at.
        let rule = Rule.compare(indicator: "report_rate", op: .ge, pooledAt: .county)
        #expect(describeRule(rule, scheme: scheme) == "企业年报公示率 ≥ 全县（区）汇总值")
        let missing = try loadEdited { xml in
            let start = xml.range(of: "  <tiers ")!.lowerBound, end = xml.range(of: "</tiers>\n")!.upperBound
            return xml.replacingCharacters(in: start..<end, with: "")
        }
        #expect(missing.count == 1 && missing.first?.message.contains(#"需要 <tiers assessed="…">"#) == true)
        let unnamed = try loadEdited { $0.replacingOccurrences(of: #" name="乡镇（街道）""#, with: "") }
        #expect(unnamed.count == 1 && unnamed.first?.message.contains(#"<tier id="town" name="…"/>"#) == true)
        let whole = try loadEdited { $0.replacingOccurrences(of: #"<tier id="city" name="市" whole="全市"/>"#, with: #"<tier id="city" name="市"/>"#) }
        #expect(whole.count == 1 && whole.first?.message.contains(#"<tier id="city" whole="…"/>"#) == true)
    }

    /// The last programme words of the engine are the scheme's (issue 19.1): each is read, and
    /// each the loader requires is reported, naming the element, when missing.
    @Test func theRubricsGoalsAndTiersSentenceWordsAreTheSchemes() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        #expect(scheme.assessedShortName == "乡镇" && scheme.tierName(.county) == "县区" && scheme.tierName(.city) == "市")
        #expect(scheme.withoutSuffix("埇桥区", tier: .county) == "埇桥" && scheme.withoutSuffix("萧县", tier: .county) == "萧")
        #expect(scheme.withoutSuffix("宿州市", tier: .city) == "宿州市" && scheme.withoutSuffix("区", tier: .county) == "区")
        let rubric = try #require(scheme.rubric)
        #expect(rubric.name == "评估细则" && rubric.totalNote == "评估细则未设验收及格线" && rubric.rankWithin == .city)
        #expect(rubric.assessment.label == "自查打分" && rubric.categories.last?.unclaimed == "未申报加分")
        #expect(rubric.assessment.label(.reviewed) == "核定" && rubric.assessment.label(.preliminary) == "初审")
        #expect(rubric.assessment.label(.selfScored) == "未核定" && rubric.assessment.label(.adjusted) == "核定调整")
        #expect(rubric.assessment.label(.computed) == "数据核算")
        #expect(rubric.assessment.ownLabel == "自评" && rubric.assessment.missingLabel == "未自评")
        #expect(scheme.goal?.name == "全市创建目标")
        if case .rank(_, _, let zero, _)? = rubric.criteria.first(where: { $0.id == "9.1" })?.rule { #expect(zero == "证书数为 0 不得分") } else { Issue.record("9.1 is not a rank") }
        // Required in context by the loader: one fault each, the element named.
        let short = try loadEdited { $0.replacingOccurrences(of: #" short="乡镇""#, with: "") }
        #expect(short.count == 1 && short.first?.message.contains(#"<tier id="town" short="…"/>"#) == true)
        let city = try loadEdited { $0.replacingOccurrences(of: #"<tier id="city" name="市" whole="全市"/>"#, with: #"<tier id="city" whole="全市"/>"#) }
        #expect(city.count == 1 && city.first?.message.contains(#"<tier id="city" name="…"/>"#) == true)
        let county = try loadEdited { $0.replacingOccurrences(of: #"<tier id="county" name="县区""#, with: #"<tier id="county""#) }
        #expect(county.count == 1 && county.first?.message.contains(#"<tiers> 需要 county 层级的名称（“本行是…”“取自…行”）：<tier id="county" name="…"/>"#) == true)
        let zero = try loadEdited { $0.replacingOccurrences(of: #" zero-note="证书数为 0 不得分""#, with: "") }
        #expect(zero.count == 1 && zero.first?.message.contains(#"<rank indicator="mgmt_certs"> 为 0 不得分（zero-scores），需要 zero-note"#) == true)
        let noZero = try loadEdited { $0.replacingOccurrences(of: #"zero-scores="true" zero-note="证书数为 0 不得分""#, with: #"zero-scores="false""#) }
        #expect(noZero.isEmpty)
        let adjusted = try loadEdited { $0.replacingOccurrences(of: #" adjusted-label="核定调整""#, with: "") }
        #expect(adjusted.count == 1 && adjusted.first?.message.contains("reviewed 分数列需要 adjusted-label") == true)
        let own = try loadEdited { $0.replacingOccurrences(of: #" own-label="自评""#, with: "") }
        #expect(own.count == 1 && own.first?.message.contains("self 分数列需要 own-label") == true)
        let missingMark = try loadEdited { $0.replacingOccurrences(of: #" missing-label="未自评""#, with: "") }
        #expect(missingMark.count == 1 && missingMark.first?.message.contains("self 分数列需要 missing-label") == true)
        let unclaimed = try loadEdited { $0.replacingOccurrences(of: #" unclaimed="未申报加分""#, with: "") }
        #expect(unclaimed.count == 1 && unclaimed.first?.message.contains("加分类别 bonus 需要 unclaimed") == true)
        // Always required: the schema refuses the scheme without them.
        for attribute in [#" name="评估细则""#, #" total-note="评估细则未设验收及格线""#, #" label="自查打分""#, #" label="初审""#, #" name="全市创建目标""#] {
            let missing = try loadEdited { $0.replacingOccurrences(of: attribute, with: "") }
            #expect(missing.first?.code == "scheme-invalid", "\(attribute)")
        }
        let scope = try loadEdited { $0.replacingOccurrences(of: #"rank-within="city""#, with: #"rank-within="town""#) }
        #expect(scope.first?.code == "scheme-invalid")
    }

    @Test func theFormsFieldsAreColumnsOfTheApplicationSheet() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        let fields = scheme.page("form").fields
        #expect(fields.map(\.name) == ["applied", "request", "recommender", "opinion", "recommended", "report"])
        #expect(fields[0].isDate && fields[1].lines == 10 && fields[2].lines == nil)
        let unknown = try loadEdited { $0.replacingOccurrences(of: #"column="请示正文""#, with: #"column="请示""#) }
        #expect(unknown.count == 1 && unknown.first?.message.contains("栏目 request 的列“请示”不是输入表 applications") == true)
        let dated = try loadEdited { $0.replacingOccurrences(of: #"<field name="applied" column="申报日期"/>"#, with: #"<field name="applied" column="申报日期" lines="3"/>"#) }
        #expect(dated.count == 1 && dated.first?.message.contains("是日期列“申报日期”，不能有 lines") == true)
    }

    @Test func theLifecyclesClauseIsShownAndIssuerIsGone() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        #expect(rubricTable(scheme).contains("五、创建步骤：申报 → 县级推荐 → 备案 → 验收 → 公示 → 命名 → 撤销（未申报、"))
        // issuer was read by nobody and is no longer part of the schema.
        let issuer = try loadEdited { $0.replacingOccurrences(of: #"id="suzhou-town""#, with: #"id="suzhou-town" issuer="宿州市质量发展委员会""#) }
        #expect(issuer.first?.code == "scheme-invalid")
    }
}
