// libFuzzer target over the ingest stage: decoding + CSV records + cell readers + the header
// mapper. Built by scripts/fuzz with `swiftc -sanitize=fuzzer,address` together with the
// Ingest sources; the invariants below turn silent misbehaviour into crashes the fuzzer keeps.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoded = decodeSpreadsheetText(bytes, file: "fuzz.csv")
    if !decoded.isText { return 0 }
    precondition(!decoded.utf8.contains(0), "NUL survived decoding")
    let table = parseCSV(decoded.utf8, file: "fuzz.csv")
    var previousRow = 0
    for r in table.records {
        precondition(r.row > previousRow, "rows must increase")
        previousRow = r.row
        for (i, f) in r.fields.enumerated() {
            precondition(f.column == i + 1 && f.line >= r.line, "bad position")
        }
    }
    let kinds: [CellKind] = [.count, .percent, .score, .points, .flag, .level(0...5), .year, .month, .quarter, .date, .code, .text]
    for r in table.records.prefix(200) {
        for f in r.fields.prefix(50) {
            for k in kinds {
                let loc = SourceLocation(file: "fuzz.csv", line: f.line, column: f.column, row: r.row)
                if case .rejected(let d) = readCell(f.text, as: k, header: "h", at: loc) {
                    precondition(d.location.cell != nil && !d.message.isEmpty, "diagnostic without a cell")
                }
            }
        }
    }
    if let header = table.records.first {
        var bag = DiagnosticBag()
        _ = mapHeader(header, known: unitColumns, file: "fuzz.csv", diagnostics: &bag)
        _ = readUnits(table, file: "fuzz.csv", diagnostics: &bag)
    }
    return 0
}
