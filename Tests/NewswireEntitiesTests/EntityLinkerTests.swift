import NewswireCore
import Testing

@testable import NewswireEntities

@Suite struct EntityLinkerTests {
    private let linker = EntityLinker(demonyms: ["pakistani": "pakistan", "kenyan": "kenya"])

    /// Mentions of `names` (in order of appearance) with their types, found in `text`.
    private func mentions(_ text: String, _ names: [(String, String)]) -> [Mention] {
        let scalars = Array(text.unicodeScalars)
        var from = 0
        return names.map { name, type in
            let needle = Array(name.unicodeScalars)
            var start = from
            while Array(scalars[start..<(start + needle.count)]) != needle { start += 1 }
            from = start + needle.count
            let tokenized = Tokenizer.tokenize(name)
            return Mention(
                type: TagSet.types.firstIndex(of: type)!,
                words: tokenized.tokens.indices.map { tokenized.string($0) },
                start: start,
                end: start + needle.count,
                inTitle: false,
                text: name
            )
        }
    }

    @Test func linksAcronymDefinedAfterTheName() {
        let text = "The Counter-Terrorism Department (CTD) said the CTD arrested two men."
        let entities = self.linker.link(
            self.mentions(text, [("Counter-Terrorism Department", "ORG"), ("CTD", "ORG"), ("CTD", "ORG")])
        )
        #expect(entities.count == 1)
        #expect(entities[0].text == "Counter-Terrorism Department")
        #expect(entities[0].aliases == ["CTD"])
        #expect(entities[0].count == 3)
        #expect(entities[0].spans == [[4, 32], [34, 37], [48, 51]])
    }

    @Test func linksAcronymDefinedBeforeTheName() {
        let text = "The NRB (National Rivers Board) met; the National Rivers Board agreed."
        let entities = self.linker.link(
            self.mentions(
                text,
                [("NRB", "ORG"), ("National Rivers Board", "ORG"), ("National Rivers Board", "ORG")]
            )
        )
        #expect(entities.map(\.text) == ["National Rivers Board"])
        #expect(entities[0].aliases == ["NRB"])
        #expect(entities[0].count == 3)
    }

    @Test func linksSurnameAndFirstNameToTheFullName() {
        let text = "Imran Khan met Amina Odhiambo. Khan said Amina would visit; Khan left."
        let entities = self.linker.link(
            self.mentions(
                text,
                [
                    ("Imran Khan", "PER"), ("Amina Odhiambo", "PER"), ("Khan", "PER"), ("Amina", "PER"),
                    ("Khan", "LOC"),
                ]
            )
        )
        #expect(entities.map(\.text) == ["Imran Khan", "Amina Odhiambo"])
        #expect(entities.map(\.count) == [3, 2])
        #expect(entities[0].type == "PER")
        #expect(entities[0].aliases == ["Khan"])
    }

    @Test func picksTheNearestEarlierPersonForAnAmbiguousSurname() {
        let text = "Imran Khan and Sadia Khan spoke. Later Khan left."
        let entities = self.linker.link(
            self.mentions(text, [("Imran Khan", "PER"), ("Sadia Khan", "PER"), ("Khan", "PER")])
        )
        #expect(entities.map(\.text) == ["Imran Khan", "Sadia Khan"])
        #expect(entities.map(\.count) == [1, 2])
    }

    @Test func linksDemonymAndPossessiveVariants() {
        let text = "The Pakistani Army said the Pakistan Army's chief would not attend."
        let entities = self.linker.link(
            self.mentions(text, [("Pakistani Army", "ORG"), ("Pakistan Army's", "ORG")])
        )
        #expect(entities.count == 1)
        #expect(entities[0].count == 2)
        #expect(entities[0].aliases.count == 1)
    }

    @Test func keepsDifferentNamesApart() {
        let text = "Kenya Airways and Kenya Power said Nairobi and Kenya agreed."
        let entities = self.linker.link(
            self.mentions(
                text,
                [("Kenya Airways", "ORG"), ("Kenya Power", "ORG"), ("Nairobi", "LOC"), ("Kenya", "LOC")]
            )
        )
        #expect(entities.map(\.text) == ["Kenya Airways", "Kenya Power", "Nairobi", "Kenya"])
    }

    @Test func separatesTitleSpans() {
        var mentions = self.mentions("Lisbon mayor quits", [("Lisbon", "LOC")])
        mentions[0].inTitle = true
        mentions += self.mentions("In Lisbon, the mayor quit.", [("Lisbon", "LOC")])
        let entities = self.linker.link(mentions)
        #expect(entities.count == 1)
        #expect(entities[0].titleSpans == [[0, 6]])
        #expect(entities[0].spans == [[3, 9]])
        #expect(entities[0].count == 2)
    }

    @Test func linksTitledSurnameAndFirstNameToTheFullName() {
        let text = "Talia Brennholt won. Ms. Brennholt thanked voters; Brennholt and Talia then left."
        let entities = self.linker.link(
            self.mentions(
                text,
                [("Talia Brennholt", "PER"), ("Ms. Brennholt", "PER"), ("Brennholt", "PER"), ("Talia", "PER")]
            )
        )
        #expect(entities.map(\.text) == ["Talia Brennholt"])
        #expect(entities[0].count == 4)
        #expect(entities[0].aliases == ["Ms. Brennholt", "Brennholt", "Talia"])
    }

    @Test func linksAnUnambiguousPrefixOfAnOrganisation() {
        let text = "Larkspur Ferries added a boat. Larkspur said fares would not rise."
        let entities = self.linker.link(
            self.mentions(text, [("Larkspur Ferries", "ORG"), ("Larkspur", "ORG")])
        )
        #expect(entities.map(\.text) == ["Larkspur Ferries"])
        #expect(entities[0].aliases == ["Larkspur"])
        #expect(entities[0].type == "ORG")
    }

    @Test func keepsAPrefixApartWhenTwoNamesStartWithIt() {
        let text = "Larkspur Ferries and Larkspur Savings Bank met. Larkspur said nothing."
        let entities = self.linker.link(
            self.mentions(
                text,
                [("Larkspur Ferries", "ORG"), ("Larkspur Savings Bank", "ORG"), ("Larkspur", "ORG")]
            )
        )
        #expect(entities.map(\.text) == ["Larkspur Ferries", "Larkspur Savings Bank", "Larkspur"])
    }

    @Test func keepsAPrefixApartWhenAnotherNameContainsIt() {
        let text = "Port Larkspur is shut. Larkspur Ferries cancelled sailings; Larkspur officials met."
        let entities = self.linker.link(
            self.mentions(text, [("Port Larkspur", "LOC"), ("Larkspur Ferries", "ORG"), ("Larkspur", "ORG")])
        )
        #expect(entities.map(\.text) == ["Port Larkspur", "Larkspur Ferries", "Larkspur"])
    }

    @Test func keepsAPlaceApartFromAnOrganisationNamedAfterIt() {
        let text = "Dunmore Rovers lost at home; Dunmore is quiet tonight."
        let entities = self.linker.link(
            self.mentions(text, [("Dunmore Rovers", "ORG"), ("Dunmore", "LOC")])
        )
        #expect(entities.map(\.text) == ["Dunmore Rovers", "Dunmore"])
    }

    @Test func linksAGenericHeadNounToTheOrganisationItHeads() {
        let text =
            "The Union of Dock Pilots met the Brackwater District Council. Union leaders said the Council had agreed."
        let entities = self.linker.link(
            self.mentions(
                text,
                [
                    ("Union of Dock Pilots", "ORG"), ("Brackwater District Council", "ORG"), ("Union", "ORG"),
                    ("Council", "ORG"),
                ]
            )
        )
        #expect(entities.map(\.text) == ["Union of Dock Pilots", "Brackwater District Council"])
        #expect(entities.map(\.count) == [2, 2])
    }

    @Test func keepsAGenericHeadNounApartWhenItHeadsTwoOrganisations() {
        let text = "Brackwater District Council and Selby Town Council disagreed; the Council did not say which."
        let entities = self.linker.link(
            self.mentions(
                text,
                [("Brackwater District Council", "ORG"), ("Selby Town Council", "ORG"), ("Council", "ORG")]
            )
        )
        #expect(entities.count == 3)
    }

    @Test func keepsAGenericWordApartFromANameItDoesNotHead() {
        let text = "Union Quay Holdings bought land. The Union voted against it."
        let entities = self.linker.link(
            self.mentions(text, [("Union Quay Holdings", "ORG"), ("Union", "ORG")])
        )
        #expect(entities.map(\.text) == ["Union Quay Holdings", "Union"])
    }

    @Test func theMajorityTypeOfAGroupWins() {
        let text = "Castellano spoke. Castellano left. Castellano won. Castellano aides said Castellano would return."
        let entities = self.linker.link(
            self.mentions(
                text,
                [
                    ("Castellano", "PER"), ("Castellano", "PER"), ("Castellano", "PER"), ("Castellano", "LOC"),
                    ("Castellano", "PER"),
                ]
            )
        )
        #expect(entities.count == 1)
        #expect(entities[0].type == "PER")
        #expect(entities[0].count == 5)
    }

    @Test func aFullNameOutweighsOneMistypedShortForm() {
        let text = "Marisol Vantongeren arrived. Vantongeren aides waited."
        let entities = self.linker.link(
            self.mentions(text, [("Marisol Vantongeren", "PER"), ("Vantongeren", "LOC")])
        )
        #expect(entities.map(\.text) == ["Marisol Vantongeren"])
        #expect(entities[0].type == "PER")
    }

    @Test func linksTitleMentionsWithTheBody() {
        var mentions = self.mentions("Larkspur cuts fares", [("Larkspur", "PER")])
        mentions[0].inTitle = true
        mentions += self.mentions(
            "Larkspur Ferries cut fares. Larkspur said more cuts would follow.",
            [("Larkspur Ferries", "ORG"), ("Larkspur", "ORG")]
        )
        let entities = self.linker.link(mentions)
        #expect(entities.map(\.text) == ["Larkspur Ferries"])
        #expect(entities[0].type == "ORG")
        #expect(entities[0].titleSpans == [[0, 8]])
        #expect(entities[0].spans == [[0, 16], [28, 36]])
    }

    @Test func keepsAGenericWordOfAHeadlineApart() {
        var mentions = self.mentions("Ferry strike ends", [("Ferry", "ORG")])
        mentions[0].inTitle = true
        mentions += self.mentions("Crews of Saltmarsh Ferry voted on Friday.", [("Saltmarsh Ferry", "ORG")])
        let linker = EntityLinker(demonyms: [:], genericWords: ["ferry"])
        #expect(linker.link(mentions).map(\.text) == ["Ferry", "Saltmarsh Ferry"])
    }
}
