import Testing
import TocsinCore

@Suite("Header values")
struct HeaderTextTests {
    @Test("the JSON media type in any case, with parameters and blanks; anything else is not it")
    func jsonMediaType() {
        for accepted in ["application/json", "Application/JSON", " application/json ; charset=utf-8", "application/json;charset=UTF-8",
                         "\tAPPLICATION/json\t"] {
            #expect(HeaderText.isJSONMediaType(accepted), "\(accepted)")
        }
        for refused in ["", "text/plain", "application/jsonx", "application/json-patch+json", "application /json", "application/jsoN2",
                        "application/x-www-form-urlencoded", ";application/json", "applicatioN/jsoń"] {
            #expect(!HeaderText.isJSONMediaType(refused), "\(refused)")
        }
    }

    @Test("a bearer token in any case of the scheme, trimmed; another scheme or an empty token is none")
    func bearerToken() {
        #expect(HeaderText.bearerToken("Bearer tcn_abc") == "tcn_abc")
        #expect(HeaderText.bearerToken("bearer   tcn_abc  ") == "tcn_abc")
        #expect(HeaderText.bearerToken("BEARER tcn abc") == "tcn abc")
        for refused in ["Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwYXNz", "Bearertcn_abc", "Beare tcn_abc", ""] {
            #expect(HeaderText.bearerToken(refused) == nil, "\(refused)")
        }
    }
}
