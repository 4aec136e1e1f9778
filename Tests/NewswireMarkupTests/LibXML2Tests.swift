import NewswireMarkup
import Testing

@Suite struct LibXML2Tests {
    @Test func reportsTheLinkedVersion() {
        LibXML2.initialize()
        #expect(LibXML2.version.hasPrefix("2."))
    }
}
