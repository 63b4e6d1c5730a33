import Foundation
import Testing

@testable import TocsinStore

/// The hand-written JSON of label columns must be the text Foundation's encoder writes.
@Suite("Label JSON columns")
struct LabelJSONTests {
    private func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static let maps: [[String: String]] = [
        [:],
        ["alertname": "DiskFull", "instance": "db1:9100", "severity": "critical"],
        ["a10": "x", "a2": "y", "B": "z", "_b": "", "Z": "", "aB": "", "ab": "", "ä": "", "a_": ""],
        ["summary": "\u{1}\u{1f}\t\n\r\u{8}\u{c}\"\\/é😀\u{2028}\u{7f}\u{0}", "url": "http://x/y?a=1&b=<2>"],
    ]

    @Test("maps are written as Foundation's encoder writes them", arguments: maps)
    func mapsMatchFoundation(map: [String: String]) throws {
        #expect(LabelJSON.encode(map) == (try foundation(map)))
    }

    @Test("lists are written as Foundation's encoder writes them")
    func listsMatchFoundation() throws {
        for list in [[], ["a"], ["x\"y", "\u{0}", "ed331a96675122bf"]] as [[String]] {
            #expect(LabelJSON.encode(list) == (try foundation(list)))
        }
    }
}
