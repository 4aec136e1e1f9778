import NewswireEntities
import Testing

@Suite struct NoEntityExtractionTests {
    @Test func findsNothing() {
        #expect(
            NoEntityExtraction().extractEntities(title: "Mara Okafor in Lisbon", text: "Mara Okafor spoke.").isEmpty
        )
    }
}
