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
/// The page's bytes go into a libxml2 buffer (`xmlBufferAdd`). The writer is a value, so the
/// walk's many calls reach its state without the run-time exclusivity check a class's stored
/// `var` costs on each access; prepared pieces are copied from their document's store, lent for
/// the writer's life (`MarkupDocument.withStore`), and pieces and tags are plain values:
/// writing them counts no reference. One writer per page: it is not shared
/// between threads.
struct MarkupWriter: MarkupSink {
    let format: OutputFormat
    /// The prepared pieces' bytes (valid while the writer is used: see `init`).
    private let store: UnsafeBufferPointer<UInt8>
    /// The page's buffer, and what libxml2 writes values with.
    private let escaper: ValueEscaper
    private var page: xmlBufferPtr { escaper.page }
    private let frame: (before: [UInt8], after: [UInt8])?
    /// What is open: the elements being written, innermost last.
    private var open: [Open] = []
    /// Elements inside one whose children libxml2 does not write (nothing of them is written).
    private var dropped = 0

    /// An element being written: its tags, and whether its start tag is still open (no child yet).
    private struct Open {
        let tags: ElementTags
        var tagOpen: Bool
    }

    /// A writer for a whole page (`frame`: libxml2's DOCTYPE and what follows the root) or, with
    /// no frame, for a part of one, copying prepared pieces from `store` (the document's store,
    /// lent by `MarkupDocument.withStore` for as long as the writer is used).
    init(format: OutputFormat, frame: (before: [UInt8], after: [UInt8])?, store: UnsafeBufferPointer<UInt8>) {
        self.format = format
        self.frame = frame
        self.store = store
        escaper = ValueEscaper(format: format)
        open.reserveCapacity(32)
        if let frame { escaper.add(frame.before) }
    }

    @inline(__always)
    private func add(_ bytes: StoredBytes) {
        let b = bytes.of(store)
        if let p = b.baseAddress { xmlBufferAdd(page, p, Int32(b.count)) }
    }

    /// Before a child of the innermost element: closes its start tag; false when the child is
    /// not written.
    private mutating func child() -> Bool {
        guard dropped == 0 else { return false }
        guard let last = open.indices.last else { return true }
        guard open[last].tags.writesChildren else { return false }
        if open[last].tagOpen {
            open[last].tagOpen = false
            add(open[last].tags.openEnd)
        }
        return true
    }

    mutating func append(_ markup: PreparedMarkup) {
        if child() { add(markup.bytes) }
    }

    var takesWritten: Bool { true }

    mutating func append(written: [UInt8]) {
        if child() { escaper.add(written) }
    }

    mutating func start(_ tags: ElementTags) {
        if dropped > 0 || !child() {
            dropped += 1
            return
        }
        add(tags.open)
        open.append(Open(tags: tags, tagOpen: tags.writesChildren))
    }

    mutating func attribute(_ name: String, _ value: String) {
        guard dropped == 0, let top = open.last else { return }
        precondition(top.tagOpen || !top.tags.writesChildren, "an attribute after the element's content")
        escaper.attribute(name, value, of: top.tags)
    }

    mutating func text(_ value: String) {
        guard !value.isEmpty, child(), let top = open.last else { return }
        escaper.text(value, raw: top.tags.rawText)
    }

    mutating func end() {
        if dropped > 0 {
            dropped -= 1
            return
        }
        let e = open.removeLast()
        add(!e.tags.writesChildren || e.tagOpen ? e.tags.empty : e.tags.close)
    }

    /// The bytes written (the page's, framed, when the writer writes a page).
    mutating func finish() -> [UInt8] {
        precondition(open.isEmpty && dropped == 0, "a page ended inside an element")
        if let frame { escaper.add(frame.after) }
        guard let content = xmlBufferContent(page) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(page))))
    }
}

/// One writer's libxml2 objects: the page's buffer, and what values are escaped with — a
/// scratch document of the page's format (its encoding set as the page serialisers set it), an
/// element of the same name per element that gets attributes, and an output buffer the
/// serialiser writes into, whose new bytes are added to the page after each value. Owned; freed
/// in deinit.
private final class ValueEscaper {
    let format: OutputFormat
    /// The page (doubling as it grows).
    let page: xmlBufferPtr
    private let scratch: XMLDocument
    /// The scratch document's tree (held here: reaching it through `scratch` counts a reference
    /// per value).
    private let doc: xmlDocPtr
    private let out: xmlOutputBufferPtr
    /// Per element, its attributes by name: each made once by `xmlSetProp`, then given each
    /// value as its text node's content.
    private var attributes: [xmlNodePtr: [(name: String, attr: xmlAttrPtr)]] = [:]

    init(format: OutputFormat) {
        self.format = format
        page = xmlBufferCreateSize(1 << 16)!
        xmlBufferSetAllocationScheme(page, XML_BUFFER_ALLOC_DOUBLEIT)
        scratch = XMLDocument.new(html: format == .html)
        doc = scratch.doc
        if format == .xhtml { doc.pointee.encoding = UnsafePointer(xmlStrdup("UTF-8")) }
        out = xmlAllocOutputBuffer(nil)!
    }

    deinit {
        xmlOutputBufferClose(out)
        xmlBufferFree(page)
    }

    /// Adds bytes to the page.
    func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            if let p = b.baseAddress { xmlBufferAdd(page, p, Int32(b.count)) }
        }
    }

    /// Runs `write` on the output buffer and adds what it wrote to the page.
    private func copying(_ write: (xmlOutputBufferPtr) -> Void) {
        let before = Int(xmlOutputBufferGetSize(out))
        write(out)
        let after = Int(xmlOutputBufferGetSize(out))
        guard after > before, let content = xmlOutputBufferGetContent(out) else { return }
        xmlBufferAdd(page, content + before, Int32(after - before))
    }

    /// A text node's content as the page serialiser writes it (`raw`: HTML's script and style).
    func text(_ value: String, raw: Bool) {
        switch format {
        case .html:
            withXMLChars(value) { v in
                if raw {
                    xmlBufferAdd(page, v, -1)
                    return
                }
                guard let escaped = xmlEncodeEntitiesReentrant(doc, v) else { return }
                xmlBufferAdd(page, escaped, -1)
                qtown_xml_free(escaped)
            }
        case .xhtml:
            copying { out in withXMLChars(value) { _ = xmlOutputBufferWriteEscape(out, $0, nil) } }
        }
    }

    /// An attribute of an element named as the one `tags` are of, as the serialiser writes it:
    /// the attribute node `xmlSetProp` made for that element and name, its one text child set to
    /// `value` (literal text, as `xmlSetProp` sets it), written by itself.
    func attribute(_ name: String, _ value: String, of tags: ElementTags) {
        let attr = self.attribute(name, of: tags)
        guard let text = attr.pointee.children else { return }
        withXMLChars(value) { xmlNodeSetContent(text, $0) }
        copying { out in
            MarkupDocument.write(UnsafeMutableRawPointer(attr).assumingMemoryBound(to: xmlNode.self), of: doc, format: format, to: out)
        }
    }

    /// The attribute `name` of the scratch element standing for `tags`' element: made once by
    /// `xmlSetProp` (with a value, so that it has its text child).
    private func attribute(_ name: String, of tags: ElementTags) -> xmlAttrPtr {
        let key = tags.node.node
        if let a = attributes[key]?.first(where: { $0.name == name })?.attr { return a }
        let element: xmlNodePtr
        if let any = attributes[key]?.first?.attr {
            element = any.pointee.parent
        } else {
            element = xmlNewDocNode(doc, nil, tags.node.node.pointee.name, nil)!
            scratch.adopt(element)
        }
        let a = withXMLChars(name) { xmlSetProp(element, $0, "x")! }
        attributes[key, default: []].append((name, a))
        return a
    }
}
