import NewswireCore
import NewswireMarkup
import Testing

@Suite struct CharsetDetectionTests {
    @Test(
        arguments: [
            (
                "koi8-r", "Городской совет обсуждает новый бюджет на следующий год",
                [
                    231, 207, 210, 207, 196, 211, 203, 207, 202, 32, 211, 207, 215, 197, 212, 32, 207, 194, 211, 213,
                    214, 196, 193, 197, 212, 32, 206, 207, 215, 217, 202, 32, 194, 192, 196, 214, 197, 212, 32, 206,
                    193, 32, 211, 204, 197, 196, 213, 192, 221, 201, 202, 32, 199, 207, 196,
                ]
            ),
            (
                "euc-jp", "新しい図書館が駅の近くに開館しました",
                [
                    191, 183, 164, 183, 164, 164, 191, 222, 189, 241, 180, 219, 164, 172, 177, 216, 164, 206, 182, 225,
                    164, 175, 164, 203, 179, 171, 180, 219, 164, 183, 164, 222, 164, 183, 164, 191,
                ]
            ),
            (
                "windows-1255", "העירייה פתחה ספרייה חדשה ליד התחנה",
                [
                    228, 242, 233, 248, 233, 233, 228, 32, 244, 250, 231, 228, 32, 241, 244, 248, 233, 233, 228, 32,
                    231, 227, 249, 228, 32, 236, 233, 227, 32, 228, 250, 231, 240, 228,
                ]
            ),
            (
                "shift_jis", "新しい図書館が駅の近くに開館しました",
                [
                    144, 86, 130, 181, 130, 162, 144, 125, 143, 145, 138, 217, 130, 170, 137, 119, 130, 204, 139, 223,
                    130, 173, 130, 201, 138, 74, 138, 217, 130, 181, 130, 220, 130, 181, 130, 189,
                ]
            ),
            (
                "euc-kr", "시청이 역 근처에 새 도서관을 열었습니다",
                [
                    189, 195, 195, 187, 192, 204, 32, 191, 170, 32, 177, 217, 195, 179, 191, 161, 32, 187, 245, 32, 181,
                    181, 188, 173, 176, 252, 192, 187, 32, 191, 173, 190, 250, 189, 192, 180, 207, 180, 217,
                ]
            ),
        ]
    )
    func guessesUndeclaredCharsets(label: String, title: String, encoded: [UInt8]) {
        let bytes =
            Array("<rss version=\"2.0\"><channel><title>".utf8) + encoded + Array("</title></channel></rss>".utf8)
        let feed = parseFeed(bytes: bytes)
        #expect(feed.encoding == label)
        #expect(feed.metadata.title == title)
        #expect(!feed.wellFormed)
    }

    @Test func undeclaredLatin1StaysWindows1252() {
        let bytes =
            Array("<rss version=\"2.0\"><channel><title>Caf".utf8) + [0xE9] + Array(" au march".utf8) + [
                0xE9, 0x20, 0x93,
            ]
            + Array("frais".utf8) + [0x94] + Array("</title></channel></rss>".utf8)
        let feed = parseFeed(bytes: bytes)
        #expect(feed.encoding == "windows-1252")
        #expect(feed.metadata.title == "Café au marché “frais”")
    }
}
