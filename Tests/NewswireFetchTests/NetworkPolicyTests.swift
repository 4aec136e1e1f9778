import NewswireCore
import NewswireFetch
import Testing

/// The CIDR matcher on address literals: no connection is made here.
@Suite struct NetworkPolicyTests {
    private func refusal(_ text: String, allowing: [String] = []) throws -> NetworkPolicy.Refusal? {
        let address = try #require(CIDR(text)).address
        let policy = try #require(NetworkPolicy(allowing: allowing))
        return policy.refusal(for: address)
    }

    @Test(arguments: [
        ("127.0.0.1", "loopback 127.0.0.0/8"),
        ("127.255.0.2", "loopback 127.0.0.0/8"),
        ("10.1.2.3", "private 10.0.0.0/8"),
        ("172.31.255.255", "private 172.16.0.0/12"),
        ("192.168.0.1", "private 192.168.0.0/16"),
        ("100.64.0.1", "shared address space (RFC 6598) 100.64.0.0/10"),
        ("169.254.169.254", "link-local 169.254.0.0/16"),
        ("0.0.0.0", "unspecified 0.0.0.0/8"),
        ("224.0.0.251", "multicast 224.0.0.0/4"),
        ("255.255.255.255", "reserved 240.0.0.0/4"),
        ("::1", "loopback ::1/128"),
        ("::", "unspecified ::/128"),
        ("fd12:3456::1", "unique local (private) fc00::/7"),
        ("fe80::1", "link-local fe80::/10"),
        ("ff02::1", "multicast ff00::/8"),
        ("::ffff:127.0.0.1", "loopback 127.0.0.0/8"),
        ("::ffff:169.254.169.254", "link-local 169.254.0.0/16"),
        ("64:ff9b::a00:1", "private 10.0.0.0/8"),
    ])
    func refusesInternalAddresses(address: String, rule: String) throws {
        let refusal = try #require(try self.refusal(address))
        #expect(refusal.rule == rule)
        #expect(refusal.description.contains(refusal.address))
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1", "::ffff:8.8.4.4"])
    func allowsPublicAddresses(address: String) throws {
        #expect(try self.refusal(address) == nil)
    }

    @Test func allowNetworksOpensOnlyTheNamedBlock() throws {
        #expect(try self.refusal("127.0.0.1", allowing: ["127.0.0.1/32"]) == nil)
        #expect(try self.refusal("127.0.0.2", allowing: ["127.0.0.1/32"])?.rule == "loopback 127.0.0.0/8")
        #expect(try self.refusal("::ffff:127.0.0.5", allowing: ["127.0.0.0/8"]) == nil)
        #expect(try self.refusal("10.0.0.1", allowing: ["127.0.0.0/8"]) != nil)
        #expect(NetworkPolicy(allowing: ["not-a-block"]) == nil)
    }

    @Test func addressesReadTheWayTheyAreWritten() throws {
        #expect(try self.refusal("::ffff:127.0.0.2")?.address == "::ffff:7f00:2")
        #expect(try self.refusal("fe80:0:0:0:0:0:0:1")?.address == "fe80::1")
        #expect(CIDR("::ffff:10.0.0.1/104")?.prefixLength == 104)
        #expect(CIDR("1:2:3:4:5:6:7:8:9") == nil)
        #expect(CIDR("::ffff:300.0.0.1") == nil)
    }
}
