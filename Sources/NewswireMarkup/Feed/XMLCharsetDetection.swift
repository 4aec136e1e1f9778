import NewswireCore

/// Guesses the charset of a document that declares none and is not UTF-8, the way chardet
/// does for feed readers, but small: decode with each candidate and score how much the result
/// looks like text in that candidate's script.
///
/// Multi-byte candidates must decode without a single error; a candidate wins only with
/// clear evidence, otherwise the answer stays windows-1252 (the WHATWG default).
enum XMLCharsetDetection {
    private static let candidates = [
        "euc-jp", "shift_jis", "gb18030", "big5", "euc-kr", "koi8-r", "windows-1251", "windows-1255",
        "windows-874",
    ]

    /// The likeliest charset label for `bytes`.
    static func detect(_ bytes: [UInt8]) -> String {
        var best = "windows-1252"
        var bestScore = self.score(Charset.convert(bytes, from: best), as: best)
        for label in self.candidates {
            let decoded = Charset.convert(bytes, from: label)
            let score = self.score(decoded, as: label)
            if score > bestScore + 0.1 {
                best = label
                bestScore = score
            }
        }
        return bestScore >= 0.5 ? best : "windows-1252"
    }

    /// The share (0...1) of the non-ASCII characters that are plausible for `label`.
    private static func score(_ utf8: [UInt8], as label: String) -> Double {
        let scalars = Array(String(decoding: utf8, as: UTF8.self).unicodeScalars)
        var total = 0.0
        var good = 0.0
        var kana = 0
        for (index, scalar) in scalars.enumerated() where scalar.value >= 0x80 {
            let value = scalar.value
            total += 1
            if value == 0xFFFD { return label == "windows-1252" ? 0 : -1 }
            let previous = index > 0 ? scalars[index - 1].value : 0x20
            let next = index + 1 < scalars.count ? scalars[index + 1].value : 0x20
            switch label {
            case "euc-jp", "shift_jis":
                if (0x3040...0x30FF).contains(value) {
                    kana += 1
                    good += 1
                } else if Self.isCJK(value) || (0x3000...0x303F).contains(value) || (0xFF01...0xFF5E).contains(value) {
                    good += 0.8
                } else if (0xFF61...0xFF9F).contains(value) {
                    good -= 0.5  // half-width katakana: what random bytes decode to in Shift_JIS
                }
            case "gb18030", "big5":
                if (0x3040...0x30FF).contains(value) {
                    good -= 1  // Chinese text has no kana
                } else if Self.commonHanzi.contains(scalar) {
                    good += 1
                } else if Self.isCJK(value) {
                    good += 0.5
                } else if (0x3000...0x303F).contains(value) || (0xFF01...0xFF5E).contains(value) {
                    good += 0.8
                }
            case "euc-kr":
                if (0xAC00...0xD7A3).contains(value) { good += 1 } else if Self.isCJK(value) { good += 0.2 }
            case "koi8-r", "windows-1251":
                let isLetter = (0x410...0x44F).contains(value) || value == 0x401 || value == 0x451
                let neighbourIsLetter = Self.isCyrillic(previous) || Self.isCyrillic(next)
                if isLetter && neighbourIsLetter {
                    // Running text is mostly lower case (the wrong table swaps the cases) and
                    // mostly the dozen most frequent letters.
                    if Self.frequentCyrillic.contains(scalar) {
                        good += 1
                    } else {
                        good += (0x430...0x44F).contains(value) || value == 0x451 ? 0.5 : 0.3
                    }
                }
            case "windows-1255":
                if (0x5D0...0x5EA).contains(value), (0x5D0...0x5EA).contains(previous) || (0x5D0...0x5EA).contains(next)
                {
                    good += 1
                }
            case "windows-874":
                if (0xE01...0xE5B).contains(value), (0xE01...0xE5B).contains(previous) || (0xE01...0xE5B).contains(next)
                {
                    good += 1
                }
            default:
                // windows-1252: accented letters inside words of ASCII letters, and punctuation.
                if (0xC0...0xFF).contains(value), value != 0xD7, value != 0xF7,
                    Self.isASCIILetter(previous) || Self.isASCIILetter(next)
                {
                    good += 1
                } else if [0x2018, 0x2019, 0x201C, 0x201D, 0x2013, 0x2014, 0x2026, 0x20AC, 0xA0, 0xA9, 0xAE, 0xB0]
                    .contains(value)
                {
                    good += 1
                }
            }
        }
        guard total > 0 else { return label == "windows-1252" ? 1 : 0 }
        if label == "euc-jp" || label == "shift_jis", Double(kana) < total * 0.05 { return good / total * 0.3 }
        return good / total
    }

    private static let frequentCyrillic: Set<Unicode.Scalar> = Set("оеаинтсрвлкмдпу".unicodeScalars)

    private static func isCJK(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
    }

    private static func isCyrillic(_ value: UInt32) -> Bool {
        (0x400...0x4FF).contains(value)
    }

    private static func isASCIILetter(_ value: UInt32) -> Bool {
        (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }

    /// The most frequent Chinese characters, simplified and traditional forms alike.
    private static let commonHanzi: Set<Unicode.Scalar> = Set(
        ("的一是不了人我在有他这這个個们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那得于於着著下自之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動面起看定天分还還进進好小部其些主样樣理心她本前开開但因只从從想实實日军軍者意无無力它与與长長把机機十民第公此已工使情明性知全三又关關点點正业業外将將两兩高间間由问問很最重并並物手应應战戰向头頭文体體政美相见見被利什二等产產或新己制身果加西斯月话話合回特代内內信表化老给給世位次度门門任常先海通教儿兒原东東声聲提立及比员員解水名真论論处處走义義各入几幾口认認条條平系气氣题題活尔爾更别別打女变變四神总總何电電数數安少报報才结結反受目太量再感建务務做接必场場件计計管期市直德资資命山金指克许許统統区區保至队隊形社便空决決治展马馬科司五基眼书書非则則听聽白却界达達光放强強即像难難且权權思王象完设設式色路记記南品住告类類求据據程北边邊死张張该該交规規万萬取拉格望觉覺术術领領共确確传傳师師观觀清今切院让讓识識候带帶导導争爭运運笑飞飛风風步改收根干幹造言联聯持组組每济濟车車亲親极極林服快办辦议議往元英士证證近失转轉夫令准準布始怎呢存未远遠叫台单單影具罗羅字爱愛击擊流备備兵连連调調深商算质質团團集百需价價花党黨华華城石级級整府离離况況亚亞请請技际際约約示复復病息究线線似官火断斷精满滿支视視消越器容照须須九增研写寫称稱企八功吗嗎包片史委乎查轻輕易早曾除农農找装裝广廣显顯吧阿李标標谈談吃图圖念六引历歷首医醫局突专專费費号號尽盡另周较較注语語仅僅考落青随隨选選列武红紅响響虽雖推势勢参參希古众眾构構房半节節土投某案黑维維革划劃敌敵致陈陳律足态態护護七兴興派孩验驗责責营營星够夠章音跟志底站严嚴巴例防族供效续續施留讲講型料终終答紧緊黄黃绝絕奇察母京段依批群项項故按河米围圍江织織害斗鬥双雙境客纪紀采采举舉杀殺攻父苏蘇密低朝友诉訴止细細愿願千值仍男钱錢破网網热熱助倒育属屬坐帝限船脸臉职職速刻乐樂否刚剛威毛状狀率甚独獨球般普怕弹彈校苦创創假久错錯承印晚兰蘭试試股拿脑腦预預谁誰益阳陽若哪微尼继繼送急血惊驚伤傷素药藥适適波夜省初喜卫衛源食险險待述陆陸习習置居劳勞财財环環排福纳納欢歡雷警获獲模充负負云雲停木游遊龙龍树樹疑层層冷洲冲衝射略范範竟句室异異激汉漢村哈策演简簡卡罪判担擔州静靜退既衣您宗积積余餘痛检檢差富灵靈协協角占配征修皮挥揮胜勝降阶階审審沉坚堅善妈媽刘劉读讀啊超免压壓银銀买買皇养養伊怀懷执執副乱亂抗犯追帮幫宣佛岁歲航优優怪香著田铁鐵控税稅左右份穿艺藝背阵陣草脚腳概恶惡块塊顿頓敢守酒岛島托央户戶烈洋哥索胡款靠评評版宝寶座释釋景顾顧弟登货貨互付伯慢欧歐换換闻聞危忙核暗姐介坏壞讨討丽麗良序升监監临臨亮露永呼味野架域沙掉括舰艦鱼魚杂雜误誤湾灣吉减減编編楚肯测測败敗屋跑梦夢散温溫困剑劍渐漸封救贵貴枪槍缺楼樓县縣尚毫移娘朋画畫班智亦耳恩短掌恐遗遺固席松秘谢謝鲁魯遇康虑慮幸均销銷钟鐘诗詩藏赶趕剧劇票损損忽巨炮旧舊端探湖录錄叶葉春乡鄉附吸予礼禮港雨呀板庭妇婦归歸睛饭飯额額含顺順输輸摇搖招婚脱脫补補谓謂督毒油疗療旅泽澤材灭滅逐莫笔筆亡鲜鮮词詞圣聖择擇寻尋厂廠睡博勒烟煙授诺諾伦倫岸奥奧唐卖賣俄炸载載洛健堂旁宫宮喝借君禁阴陰园園谋謀宋避抓荣榮姑孙孫逃牙束跳顶頂玉镇鎮雪午练練迫爷爺篇肉嘴馆館遍凡础礎洞卷坦牛宁寧纸紙诸諸训訓私庄莊祖丝絲翻暴森塔默握戏戲隐隱熟骨访訪弱蒙歌店鬼软軟典欲萨薩伙遭盘盤爸扩擴盖蓋弄雄稳穩忘亿億刺拥擁徒姆杨楊齐齊赛賽趣曲刀床迎冰虚虛玩析窗醒妻透购購替塞努休虎扬揚途侵刑绿綠兄迅套贸貿毕畢唯谷轮輪库庫迹跡尤竞競街促延震弃棄甲伟偉麻川申缓緩潜潛闪閃售灯燈针針哲络絡抵朱埃抱鼓植纯純夏忍页頁杰傑筑築折郑鄭贝貝尊吴吳秀混臣雅振染盛怒舞圆圓搞狂措姓残殘秋培迷诚誠宽寬宇猛摆擺梅毁毀伸摩盟末乃悲拍丁赵趙")
            .unicodeScalars
    )
}
