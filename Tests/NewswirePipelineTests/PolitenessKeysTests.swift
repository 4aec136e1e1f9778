import NewswireCore
import NewswirePipeline
import Testing

/// The pipeline file's `politeness:` section and `robots:` key.
@Suite struct PolitenessKeysTests {
    private func parse(_ yaml: String) throws -> PipelineConfiguration {
        try PipelineFile.parse(
            "feeds: [https://a.example/f]\n" + yaml,
            file: "test.yaml",
            folder: "/srv",
            environment: [:]
        )
    }

    @Test func readsPolitenessAndRobots() throws {
        let configuration = try self.parse(
            """
            politeness:
              per_host_connections: 2
              per_host_delay_ms: 250
              max_attempts: 5
              max_retry_wait_s: 30
            robots: false
            fetch:
              timeout_s: 12
            """
        )
        // `fetch:` after `politeness:` keeps what politeness set.
        #expect(configuration.fetch.maxConnectionsPerHost == 2)
        #expect(configuration.fetch.perHostDelay == 0.25)
        #expect(configuration.fetch.maxAttempts == 5)
        #expect(configuration.fetch.maxRetryWait == 30)
        #expect(configuration.fetch.obeysRobots == false)
        #expect(configuration.fetch.timeout == 12)
    }

    @Test func defaultsArePoliteAndRobotsAreObeyed() throws {
        let configuration = try self.parse("")
        #expect(configuration.fetch.maxConnectionsPerHost == 4)
        #expect(configuration.fetch.perHostDelay == 0)
        #expect(configuration.fetch.maxAttempts == 3)
        #expect(configuration.fetch.obeysRobots)
    }

    @Test(
        arguments: [
            ("politeness:\n  per_host_delay: 5\n", "unknown key 'per_host_delay' in 'politeness'"),
            ("politeness:\n  max_attempts: 0\n", "'max_attempts' must be a whole number from 1 to 10"),
            ("politeness:\n  per_host_connections: 100\n", "from 1 to 64"),
            ("robots: sometimes\n", "'robots' must be true or false"),
        ]
    )
    func rejectsBadValues(yaml: String, message: String) {
        #expect {
            _ = try self.parse(yaml)
        } throws: { error in
            (error as? PipelineFileError)?.description.contains(message) == true
        }
    }
}
