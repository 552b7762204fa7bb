internal import CLibXML2

/// Writes a page (or a part of one) as bytes: prepared markup copied, values escaped by the
/// functions libxml2's serialisers call for the same nodes, formatting off:
/// - HTML text: `xmlEncodeEntitiesReentrant` on an HTML document (as `htmlNodeDumpFormatOutput`
///   does), or the text as it is inside script and style;
/// - XHTML text: `xmlOutputBufferWriteEscape` with libxml2's default escaping (as `xmlsave.c`
///   does for a UTF-8 save);
/// - attributes: the attribute node, set by `xmlSetProp` on an element of the same name,
///   written by the serialiser itself (so HTML's URI escaping of href/src/action/`name` on `a`
///   and its boolean attributes are libxml2's).
/// The bytes go into a libxml2 output buffer, which those functions write into. Owned; freed in
/// deinit. One writer per page: it is not shared between threads.
final class MarkupWriter: MarkupSink {
    let format: OutputFormat
    private let out: xmlOutputBufferPtr
    /// Documents the values are escaped for, and an element per name to set attributes on.
    private let scratch: XMLDocument
    private var scratchElements: [ObjectIdentifier: xmlNodePtr] = [:]
    private let frame: (before: [UInt8], after: [UInt8])?

    /// An element being written: its tags, and whether its start tag is still open (no child yet).
    private struct Open {
        let tags: ElementTags
        var tagOpen = true
    }

    /// What is open while a page is written. One stored property, reached once per call: each
    /// access to a class's stored `var` is an exclusivity check at run time, and the walk makes
    /// several calls per element.
    private struct State {
        var open: [Open] = []
        /// Elements inside one whose children libxml2 does not write (nothing of them is written).
        var dropped = 0

        /// Before a child of the innermost element: closes its start tag; false when the child
        /// is not written.
        mutating func child(_ out: xmlOutputBufferPtr) -> Bool {
            guard dropped == 0 else { return false }
            guard let last = open.indices.last else { return true }
            guard open[last].tags.writesChildren else { return false }
            if open[last].tagOpen {
                open[last].tagOpen = false
                MarkupWriter.write(open[last].tags.openEnd, to: out)
            }
            return true
        }

        mutating func start(_ tags: ElementTags, _ out: xmlOutputBufferPtr) {
            if dropped > 0 || !child(out) {
                dropped += 1
                return
            }
            MarkupWriter.write(tags.open, to: out)
            open.append(Open(tags: tags, tagOpen: tags.writesChildren))
        }

        mutating func end(_ out: xmlOutputBufferPtr) {
            if dropped > 0 {
                dropped -= 1
                return
            }
            let e = open.removeLast()
            MarkupWriter.write(!e.tags.writesChildren || e.tagOpen ? e.tags.empty : e.tags.close, to: out)
        }
    }

    private var state = State()

    /// A writer for a whole page (`frame`: libxml2's DOCTYPE and what follows the root) or, with
    /// no frame, for a part of one.
    init(format: OutputFormat, frame: (before: [UInt8], after: [UInt8])?) {
        self.format = format
        self.frame = frame
        out = xmlAllocOutputBuffer(nil)!
        scratch = XMLDocument.new(html: format == .html)
        if format == .xhtml { scratch.doc.pointee.encoding = UnsafePointer(xmlStrdup("UTF-8")) }
        state.open.reserveCapacity(32)
        if let frame { MarkupWriter.write(frame.before, to: out) }
    }

    deinit { xmlOutputBufferClose(out) }

    private static func write(_ bytes: [UInt8], to out: xmlOutputBufferPtr) {
        bytes.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress, b.count > 0 else { return }
            p.withMemoryRebound(to: CChar.self, capacity: b.count) { _ = xmlOutputBufferWrite(out, Int32(b.count), $0) }
        }
    }

    func append(_ markup: PreparedMarkup) {
        if state.child(out) { MarkupWriter.write(markup.bytes, to: out) }
    }

    var takesWritten: Bool { true }

    func append(written: [UInt8]) {
        if state.child(out) { MarkupWriter.write(written, to: out) }
    }

    func start(_ tags: ElementTags) {
        state.start(tags, out)
    }

    func attribute(_ name: String, _ value: String) {
        guard state.dropped == 0, let top = state.open.last else { return }
        precondition(top.tagOpen || !top.tags.writesChildren, "an attribute after the element's content")
        let element = scratchElement(top.tags)
        guard let attr = withXMLChars(name, { n in withXMLChars(value) { v in xmlSetProp(element, n, v) } }) else { return }
        MarkupDocument.write(UnsafeMutableRawPointer(attr).assumingMemoryBound(to: xmlNode.self), of: scratch.doc, format: format, to: out)
        xmlRemoveProp(attr)
    }

    func text(_ value: String) {
        guard !value.isEmpty, state.child(out), let top = state.open.last?.tags else { return }
        withXMLChars(value) { v in
            switch format {
            case .html:
                if top.rawText {
                    _ = v.withMemoryRebound(to: CChar.self, capacity: 1) { xmlOutputBufferWriteString(out, $0) }
                } else if let escaped = xmlEncodeEntitiesReentrant(scratch.doc, v) {
                    _ = escaped.withMemoryRebound(to: CChar.self, capacity: 1) { xmlOutputBufferWriteString(out, $0) }
                    qtown_xml_free(escaped)
                }
            case .xhtml:
                _ = xmlOutputBufferWriteEscape(out, v, nil)
            }
        }
    }

    func end() {
        state.end(out)
    }

    /// The bytes written (the page's, framed, when the writer writes a page).
    func finish() -> [UInt8] {
        precondition(state.open.isEmpty && state.dropped == 0, "a page ended inside an element")
        if let frame { MarkupWriter.write(frame.after, to: out) }
        return MarkupDocument.contents(out)
    }

    /// An element named as the one `tags` are of, in the scratch document, with no attributes
    /// between uses.
    private func scratchElement(_ tags: ElementTags) -> xmlNodePtr {
        if let e = scratchElements[ObjectIdentifier(tags)] { return e }
        let e = withXMLChars(tags.name) { xmlNewDocNode(scratch.doc, nil, $0, nil)! }
        scratch.adopt(e)
        scratchElements[ObjectIdentifier(tags)] = e
        return e
    }
}
