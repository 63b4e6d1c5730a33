import Testing
@testable import TocsinStore

@Suite("A migration file split into statements")
struct SQLScriptTests {
    @Test("semicolons end statements; blank and comment-only pieces are dropped")
    func plain() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x int);

            /* a block; comment */
            CREATE INDEX a_x ON a (x);
            ;
            -- trailing comment only
            """
        #expect(SQLScript.statements(in: script) == [
            "-- a comment; with a semicolon\nCREATE TABLE a (x int)",
            "/* a block; comment */\nCREATE INDEX a_x ON a (x)",
        ])
    }

    @Test("a semicolon inside quotes, a quoted name or a dollar-quoted body does not end a statement")
    func quoted() {
        let script = """
            INSERT INTO t VALUES ('a;b', 'it''s;');
            CREATE TABLE "odd;name" (x int);
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'no; never';
                RETURN OLD;
            END
            $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            SELECT $1::int
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 5)
        #expect(statements[0] == "INSERT INTO t VALUES ('a;b', 'it''s;')")
        #expect(statements[1] == #"CREATE TABLE "odd;name" (x int)"#)
        #expect(statements[2].hasPrefix("CREATE FUNCTION f()") && statements[2].hasSuffix("END\n$$"))
        #expect(statements[3] == "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$")
        #expect(statements[4] == "SELECT $1::int")
    }

    @Test("the shipped PostgreSQL migrations split into whole statements")
    func shipped() {
        for migration in PostgresMigrations.embedded {
            let statements = SQLScript.statements(in: migration.sql)
            #expect(!statements.isEmpty)
            for statement in statements {
                let first = statement.split(separator: "\n").first { !$0.hasPrefix("--") } ?? ""
                #expect(first.hasPrefix("CREATE "), "\(migration.identifier): \(statement.prefix(80))")
            }
        }
    }
}
