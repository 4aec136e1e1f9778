/// The HTML elements the extractor tells apart; every other name is ``other``.
///
/// Names are looked up by their first seven bytes and their length packed into one
/// integer, so classifying an element costs one dictionary probe and no allocation.
enum HTMLTag: UInt8 {
    case other
    case html, head, body, title, meta, link, script, style, noscript, template
    case p, div, section, article, main, span, a, br, hr, img, picture, figure, figcaption
    case h1, h2, h3, h4, h5, h6, header, footer, nav, aside, form, button, input, select, textarea, label
    case ul, ol, li, dl, dt, dd, table, thead, tbody, tr, td, th, caption
    case blockquote, pre, code, em, strong, b, i, u, small, sub, sup, font, abbr, cite, q, mark, time, del, ins
    case iframe, svg, video, audio, canvas, object, embed, map, dialog, menu, address, center

    /// Classifies an element name (lower case, as libxml2's HTML parser gives it).
    static func lookup(_ name: UnsafePointer<UInt8>) -> HTMLTag {
        var key: UInt64 = 0
        var length = 0
        while name[length] != 0 {
            let byte = name[length]
            if length < 7 { key |= UInt64(byte | 0x20) << (8 * UInt64(length)) }
            length += 1
            if length > 15 { return .other }
        }
        key |= UInt64(length) << 56
        var slot = Self.slot(key)
        while true {
            let entry = Self.slots[slot]
            if entry.key == key { return entry.tag }
            if entry.key == 0 { return .other }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
    }

    /// An open-addressing table over `names`: a multiply-shift hash and linear probing,
    /// cheaper than a `Dictionary` probe on the walk's hottest line.
    private static let slotCount = 512
    private static let slots: [(key: UInt64, tag: HTMLTag)] = {
        var slots = [(key: UInt64, tag: HTMLTag)](repeating: (0, .other), count: slotCount)
        for (key, tag) in Self.names {
            var slot = Self.slot(key)
            while slots[slot].key != 0 { slot = (slot + 1) & (slotCount - 1) }
            slots[slot] = (key, tag)
        }
        return slots
    }()

    private static func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 55)
    }

    private static let names: [UInt64: HTMLTag] = {
        let names: [(String, HTMLTag)] = [
            ("html", .html), ("head", .head), ("body", .body), ("title", .title), ("meta", .meta),
            ("link", .link), ("script", .script), ("style", .style), ("noscript", .noscript),
            ("template", .template), ("p", .p), ("div", .div), ("section", .section), ("article", .article),
            ("main", .main), ("span", .span), ("a", .a), ("br", .br), ("hr", .hr), ("img", .img),
            ("picture", .picture), ("figure", .figure), ("figcaption", .figcaption), ("h1", .h1), ("h2", .h2),
            ("h3", .h3), ("h4", .h4), ("h5", .h5), ("h6", .h6), ("header", .header), ("footer", .footer),
            ("nav", .nav), ("aside", .aside), ("form", .form), ("button", .button), ("input", .input),
            ("select", .select), ("textarea", .textarea), ("label", .label), ("ul", .ul), ("ol", .ol),
            ("li", .li), ("dl", .dl), ("dt", .dt), ("dd", .dd), ("table", .table), ("thead", .thead),
            ("tbody", .tbody), ("tr", .tr), ("td", .td), ("th", .th), ("caption", .caption),
            ("blockquote", .blockquote), ("pre", .pre), ("code", .code), ("em", .em), ("strong", .strong),
            ("b", .b), ("i", .i), ("u", .u), ("small", .small), ("sub", .sub), ("sup", .sup), ("font", .font),
            ("abbr", .abbr), ("cite", .cite), ("q", .q), ("mark", .mark), ("time", .time), ("del", .del),
            ("ins", .ins), ("iframe", .iframe), ("svg", .svg), ("video", .video), ("audio", .audio),
            ("canvas", .canvas), ("object", .object), ("embed", .embed), ("map", .map), ("dialog", .dialog),
            ("menu", .menu), ("address", .address), ("center", .center),
        ]
        var table: [UInt64: HTMLTag] = [:]
        for (name, tag) in names {
            let bytes = Array(name.utf8)
            var key: UInt64 = 0
            for (offset, byte) in bytes.prefix(7).enumerated() { key |= UInt64(byte) << (8 * UInt64(offset)) }
            key |= UInt64(bytes.count) << 56
            table[key] = tag
        }
        return table
    }()

    /// Elements whose text flows inside the surrounding block.
    var isInline: Bool {
        switch self {
        case .a, .span, .em, .strong, .b, .i, .u, .small, .sub, .sup, .font, .abbr, .cite, .q, .mark, .time,
            .del, .ins, .code, .label, .br, .img, .picture:
            return true
        default:
            return false
        }
    }

    /// Elements whose content is never article text.
    var isNeverContent: Bool {
        switch self {
        case .script, .style, .noscript, .template, .head, .select, .textarea, .button, .iframe, .svg, .video,
            .audio, .canvas, .object, .embed, .map, .dialog, .input:
            return true
        default:
            return false
        }
    }

    var isHeading: Bool {
        switch self {
        case .h1, .h2, .h3, .h4, .h5, .h6: return true
        default: return false
        }
    }
}
