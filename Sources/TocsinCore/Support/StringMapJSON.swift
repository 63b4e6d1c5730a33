/// Reads a JSON object of string values (`{"alertname":"DiskFull"}`), the way label maps are
/// stored, with the same one-pass reader as webhooks. A repeated key keeps its first value.
public enum StringMapJSON {
    /// The map, or nil when `text` is not a JSON object of strings.
    public static func decode(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var reader = JSONReader(bytes)
            var map: [String: String] = [:]
            do {
                try reader.readObject { key, reader in
                    let value = try reader.readString()
                    if map[key] == nil { map[key] = value }
                }
                try reader.finish()
            } catch {
                return nil
            }
            return map
        }
    }
}
