import Foundation
import Testing

@testable import TocsinCore

/// The JSON text every hand-written answer and label column is made of: what Foundation's encoder
/// writes (`.sortedKeys`, `.withoutEscapingSlashes`), byte for byte.
@Suite("JSON text: string literals and maps")
struct JSONTextTests {
    private func foundation(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static let strings = [
        "", "DiskFull", "db1:9100", "http://x/y?a=1&b=<2>", "a\"b", "back\\slash", "\u{0}\u{1}\u{1f}\u{7f}",
        "\t\n\r\u{8}\u{c}", "é😀\u{2028}", "ends with a quote\"",
    ]

    @Test("a string is written as Foundation's encoder writes it", arguments: strings)
    func stringMatchesFoundation(text: String) throws {
        var bytes: [UInt8] = []
        JSONText.append(string: text, to: &bytes)
        #expect(bytes == (try foundation(text)))
    }

    @Test("a map's keys come in byte order, as Foundation sorts them")
    func mapMatchesFoundation() throws {
        let map = ["a10": "x", "a2": "y", "B": "z", "_b": "", "Z": "", "aB": "", "ab": "", "ä": "", "a_": "", "a": "", "": "empty key"]
        var bytes: [UInt8] = []
        JSONText.append(stringMap: map, to: &bytes)
        #expect(bytes == (try foundation(map)))
    }

    @Test("byte order compares UTF-8 as unsigned bytes, a prefix first")
    func byteOrder() {
        let words = ["", "a", "ab", "abc", "b", "B", "ä", "a\u{0}", "z", "😀", "é", "e\u{301}", "\u{7f}", "\u{80}"]
        for left in words {
            for right in words {
                #expect(
                    JSONText.precedes(left, right) == left.utf8.lexicographicallyPrecedes(right.utf8),
                    "\(left.debugDescription) against \(right.debugDescription)")
            }
        }
    }
}
