import NewswireCore
import Testing

@Suite struct ReorderBufferTests {
    @Test func releasesInSourceOrderWhateverTheArrivalOrder() {
        var buffer = ReorderBuffer<String>()
        var out: [String] = []
        out += buffer.insert("0.1", at: SequenceNumber(feed: 0, item: 1))
        out += buffer.setItemCount(1, forFeed: 1)
        out += buffer.insert("1.0", at: SequenceNumber(feed: 1, item: 0))
        #expect(out.isEmpty)
        out += buffer.setItemCount(3, forFeed: 0)
        #expect(out.isEmpty)
        out += buffer.insert("0.0", at: SequenceNumber(feed: 0, item: 0))
        #expect(out == ["0.0", "0.1"])
        out += buffer.insert(nil, at: SequenceNumber(feed: 0, item: 2))
        #expect(out == ["0.0", "0.1", "1.0"])
        #expect(buffer.waitingCount == 0)
    }

    @Test func aFailedFeedWithNoItemsDoesNotBlockTheNext() {
        var buffer = ReorderBuffer<Int>()
        var out = buffer.insert(7, at: SequenceNumber(feed: 1, item: 0))
        out += buffer.setItemCount(1, forFeed: 1)
        #expect(out.isEmpty)
        out += buffer.setItemCount(0, forFeed: 0)
        #expect(out == [7])
    }
}
