import Dispatch
import Foundation
import NewswireCore
import Synchronization
import Testing

@Suite struct BoundedQueueTests {
    @Test func keepsOrderAndDrainsAfterClose() {
        let queue = BoundedQueue<Int>(capacity: 3)
        #expect(queue.put(1))
        #expect(queue.put(2))
        queue.close()
        #expect(!queue.put(3))
        #expect(queue.take() == 1)
        #expect(queue.take() == 2)
        #expect(queue.take() == nil)
    }

    @Test func aFullQueueBlocksTheProducerUntilTheConsumerTakes() {
        let queue = BoundedQueue<Int>(capacity: 2)
        let produced = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            for value in 0..<10 {
                queue.put(value)
                produced.add(1, ordering: .sequentiallyConsistent)
            }
            queue.close()
            finished.signal()
        }
        // The producer cannot run ahead by more than the capacity (plus the one it holds).
        while queue.count < 2 { usleep(1000) }
        usleep(20000)
        #expect(produced.load(ordering: .sequentiallyConsistent) <= 2)
        var taken: [Int] = []
        while let value = queue.take() { taken.append(value) }
        finished.wait()
        #expect(taken == Array(0..<10))
    }
}
