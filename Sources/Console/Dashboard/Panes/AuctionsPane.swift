import Foundation
import MarketCore
import Views

/// Live auctions: columns, rows and the detail screen with the bid history.
enum AuctionsPane {
    static let columns = [
        TableColumn("ID", sortKey: "id", width: 8),
        TableColumn("Gift", sortKey: "gift", width: 18, flexible: true),
        TableColumn("Seller", sortKey: "seller", width: 12, dropPriority: 2),
        TableColumn("Current bid", sortKey: "current_bid", width: 14),
        TableColumn("Bidder", width: 12, dropPriority: 3),
        TableColumn("Bids", sortKey: "bids", width: 5, dropPriority: 1),
        TableColumn("Time left", sortKey: "ends_at", width: 16),
    ]

    static func row(_ auction: LiveAuction, now: Date, previous: LiveAuction? = nil) -> TableRow {
        let secondsLeft = auction.endsAt.timeIntervalSince(now)
        return TableRow(id: String(auction.id), cells: [
            .number(String(auction.id)),
            .text(auction.gift),
            .text(auction.seller),
            auction.currentBid.map { .number(TON.format($0) + Trend.arrow(from: previous?.currentBid, to: $0)) } ?? TableCell(.empty),
            auction.bidder.map { .text($0) } ?? TableCell(.empty),
            .number(String(auction.bids) + Trend.arrow(from: previous.map { Int64($0.bids) }, to: Int64(auction.bids))),
            TableCell(.countdown(auction.endsAt), role: secondsLeft < 0 ? .critical : secondsLeft < 60 ? .warning : nil),
        ])
    }

    static func detail(_ auction: LiveAuction, bids: [AuctionBid]?) -> Detail {
        let history = Table(
            columns: [TableColumn("Bid", width: 8), TableColumn("Bidder", width: 16, flexible: true),
                      TableColumn("Amount", width: 16), TableColumn("Age", width: 8)],
            rows: (bids ?? []).map { bid in
                TableRow(id: String(bid.id), cells: [.number(String(bid.id)), .text(bid.bidder),
                                                     .number(TON.format(bid.amount)), TableCell(.age(bid.at))])
            },
            emptyMessage: bids == nil ? "loading bid history…" : "no bids yet")
        return Detail(title: "Auction \(auction.id) · \(auction.gift)", fields: [
            ("Auction", .number(String(auction.id))),
            ("NFT", .text("\(auction.gift) (nft \(auction.nftID))")),
            ("Seller", .text("\(auction.seller) (user \(auction.sellerID))")),
            ("Start price", .text(TON.format(auction.startPrice))),
            ("Current bid", auction.currentBid.map { .text(TON.format($0)) } ?? TableCell(.empty)),
            ("Top bidder", auction.bidder.map { .text("\($0) (user \(auction.bidderID ?? 0))") } ?? TableCell(.empty)),
            ("Bids", .text(String(auction.bids))),
            ("Ends in", TableCell(.countdown(auction.endsAt))),
            ("Version", .text(String(auction.version))),
        ], table: Pane(title: "Bid history (newest first)", table: history, focused: true))
    }
}
