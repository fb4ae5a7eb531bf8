import Foundation
import Testing
@testable import Console
@testable import MarketCore
import Views

/// What an operator types (a reason, a filter, a command) takes any Unicode but no control or
/// invisible character, and the dialog shows a long reason's end in whole graphemes.
@Suite("Typed text")
struct TypedTextTests {
    let now = DashboardFixture.now

    func openDialog() -> DashboardModel {
        var model = ActionSafetyTests().writableAuctions()
        _ = model.update(.key(.character("x")), now: now)
        return model
    }

    func type(_ text: String, into model: inout DashboardModel, at time: Date) {
        for character in text { _ = model.update(.key(.character(character)), now: time) }
    }

    @Test func aReasonTakesAnyUnicodeButRefusesControlAndBidiCharacters() {
        var model = openDialog()
        let later = now.addingTimeInterval(1)
        type("用户 🎁 e\u{301} مرحبا", into: &model, at: later)
        #expect(model.draft?.reason == "用户 🎁 e\u{301} مرحبا")
        for hostile in ["\u{202E}", "\u{9B}", "\u{0}", "\u{1F}", "\u{200B}", "\u{2066}"] {
            type(hostile, into: &model, at: later)
            #expect(model.draft?.reason == "用户 🎁 e\u{301} مرحبا", "\(TerminalText.sanitized(hostile)) was stored")
            #expect(model.message?.text.contains("refused: typed text takes no control or invisible character") == true)
        }
    }

    @Test func theFilterTakesAnyUnicodeButNoControlCharacter() {
        var model = ViewRenderingTests.model(.auctions, width: 120, height: 40)
        _ = model.update(.key(.character("/")), now: now)
        type("用户\u{202E}🎁\u{1B}", into: &model, at: now)
        #expect(model.input == .filter("用户🎁", previous: ""))
        #expect(model.panes[.auctions]?.filter == "用户🎁")
    }

    @Test func aLongReasonShowsItsEndAndTheCursorAfterWholeGraphemes() {
        var model = openDialog()
        let later = now.addingTimeInterval(1)
        type(String(repeating: "用", count: 60) + "尾", into: &model, at: later)
        let state = DashboardPresenter.state(model, now: later, boxes: .unicode)
        let screen = DashboardScreen.render(state, width: 120, height: 40)
        let line = try! #require(screen.lines.first { $0.contains("尾█") })
        #expect(line.contains("用用尾█"))
        for row in 0..<screen.height {
            for column in 0..<screen.width where screen[column, row].isContinuation {
                #expect(column > 0 && screen[column - 1, row].width == 2)
            }
        }
    }
}
