extension Migration {
    /// The market's domain (see DOMAIN.md): money in nanoTON as BIGINT, every movement a ledger row.
    static let v1Market = Migration(version: 1, name: "market domain", sql: """
        CREATE TABLE users (
            id          BIGSERIAL PRIMARY KEY,
            name        TEXT NOT NULL,
            telegram_id BIGINT UNIQUE,
            is_platform BOOLEAN NOT NULL DEFAULT false,
            balance     BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
            held        BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
            deleted_at  TIMESTAMPTZ,
            created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        -- The platform's commission account lives in the same ledger as everyone else's money.
        INSERT INTO users (id, name, is_platform) VALUES (0, 'platform', true);

        CREATE TABLE ledger (
            id         BIGSERIAL PRIMARY KEY,
            account_id BIGINT NOT NULL REFERENCES users (id),
            delta      BIGINT NOT NULL CHECK (delta <> 0),
            kind       TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'withdrawal_refund', 'purchase', 'sale',
                                                     'commission', 'trade_fee', 'auction_settle', 'channel_escrow',
                                                     'channel_refund', 'presale', 'offer_settle')),
            reference  TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX ledger_account ON ledger (account_id);

        CREATE TABLE nfts (
            id         BIGSERIAL PRIMARY KEY,
            gift       TEXT NOT NULL,
            serial     INTEGER NOT NULL DEFAULT 0,
            owner_id   BIGINT NOT NULL REFERENCES users (id),
            price      BIGINT CHECK (price > 0),
            state      TEXT NOT NULL DEFAULT 'owned' CHECK (state IN ('owned', 'listed', 'in_auction', 'in_trade')),
            version    BIGINT NOT NULL DEFAULT 1,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            CHECK ((state = 'listed') = (price IS NOT NULL))
        );
        CREATE INDEX nfts_owner ON nfts (owner_id);
        CREATE INDEX nfts_listed ON nfts (id) WHERE state = 'listed';

        CREATE TABLE channels (
            id                  BIGSERIAL PRIMARY KEY,
            owner_id            BIGINT NOT NULL REFERENCES users (id),
            telegram_channel_id BIGINT NOT NULL UNIQUE,
            title               TEXT NOT NULL,
            price               BIGINT CHECK (price > 0),
            gifts_hash          TEXT,
            state               TEXT NOT NULL DEFAULT 'owned' CHECK (state IN ('owned', 'listed', 'in_transfer')),
            version             BIGINT NOT NULL DEFAULT 1,
            created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
        );

        CREATE TABLE channel_transfers (
            id                BIGSERIAL PRIMARY KEY,
            channel_id        BIGINT NOT NULL REFERENCES channels (id),
            seller_id         BIGINT NOT NULL REFERENCES users (id),
            buyer_id          BIGINT NOT NULL REFERENCES users (id),
            price             BIGINT NOT NULL CHECK (price > 0),
            commission        BIGINT NOT NULL CHECK (commission >= 0),
            gateway_key       TEXT NOT NULL UNIQUE,
            state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'completed', 'cancelled')),
            attempts          INTEGER NOT NULL DEFAULT 0,
            last_error        TEXT,
            resolved_by       TEXT,
            resolution_reason TEXT,
            version           BIGINT NOT NULL DEFAULT 1,
            created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX channel_transfers_pending ON channel_transfers (created_at) WHERE state = 'pending';
        CREATE UNIQUE INDEX channel_transfers_one_pending ON channel_transfers (channel_id) WHERE state = 'pending';

        CREATE TABLE auctions (
            id                BIGSERIAL PRIMARY KEY,
            nft_id            BIGINT NOT NULL REFERENCES nfts (id),
            seller_id         BIGINT NOT NULL REFERENCES users (id),
            start_price       BIGINT NOT NULL CHECK (start_price > 0),
            min_step          BIGINT NOT NULL CHECK (min_step > 0),
            current_bid       BIGINT,
            current_bidder_id BIGINT REFERENCES users (id),
            bid_count         INTEGER NOT NULL DEFAULT 0,
            ends_at           TIMESTAMPTZ NOT NULL,
            state             TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'finished', 'cancelled')),
            cancelled_by      TEXT,
            cancel_reason     TEXT,
            version           BIGINT NOT NULL DEFAULT 1,
            created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
            CHECK ((current_bid IS NULL) = (current_bidder_id IS NULL))
        );
        CREATE INDEX auctions_active_ending ON auctions (ends_at, id) WHERE state = 'active';
        CREATE UNIQUE INDEX auctions_one_active_per_nft ON auctions (nft_id) WHERE state = 'active';

        CREATE TABLE bids (
            id         BIGSERIAL PRIMARY KEY,
            auction_id BIGINT NOT NULL REFERENCES auctions (id),
            bidder_id  BIGINT NOT NULL REFERENCES users (id),
            amount     BIGINT NOT NULL CHECK (amount > 0),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX bids_auction ON bids (auction_id, id);

        CREATE TABLE trades (
            id         BIGSERIAL PRIMARY KEY,
            owner_id   BIGINT NOT NULL REFERENCES users (id),
            state      TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'completed', 'deleted')),
            version    BIGINT NOT NULL DEFAULT 1,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE trade_items (
            trade_id BIGINT NOT NULL REFERENCES trades (id),
            nft_id   BIGINT NOT NULL REFERENCES nfts (id),
            PRIMARY KEY (trade_id, nft_id)
        );

        CREATE TABLE trade_proposals (
            id           BIGSERIAL PRIMARY KEY,
            trade_id     BIGINT NOT NULL REFERENCES trades (id),
            proposer_id  BIGINT NOT NULL REFERENCES users (id),
            state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected', 'cancelled')),
            resolved_by  TEXT,
            reason       TEXT,
            version      BIGINT NOT NULL DEFAULT 1,
            created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX trade_proposals_pending ON trade_proposals (created_at, id) WHERE state = 'pending';
        CREATE INDEX trade_proposals_trade ON trade_proposals (trade_id);
        CREATE TABLE trade_proposal_items (
            proposal_id BIGINT NOT NULL REFERENCES trade_proposals (id),
            nft_id      BIGINT NOT NULL REFERENCES nfts (id),
            PRIMARY KEY (proposal_id, nft_id)
        );

        CREATE TABLE offers (
            id         BIGSERIAL PRIMARY KEY,
            nft_id     BIGINT NOT NULL REFERENCES nfts (id),
            buyer_id   BIGINT NOT NULL REFERENCES users (id),
            amount     BIGINT NOT NULL CHECK (amount > 0),
            state      TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'released')),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX offers_open ON offers (nft_id) WHERE state = 'open';

        CREATE TABLE presales (
            id         BIGSERIAL PRIMARY KEY,
            gift       TEXT NOT NULL,
            price      BIGINT NOT NULL CHECK (price > 0),
            supply     INTEGER NOT NULL CHECK (supply > 0),
            sold       INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= supply),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );

        CREATE TABLE withdrawals (
            id              BIGSERIAL PRIMARY KEY,
            user_id         BIGINT NOT NULL REFERENCES users (id),
            idempotency_key TEXT NOT NULL,
            amount          BIGINT NOT NULL CHECK (amount > 0),
            destination     TEXT NOT NULL,
            state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
            tx_hash         TEXT,
            attempts        INTEGER NOT NULL DEFAULT 0,
            last_error      TEXT,
            resolved_by     TEXT,
            version         BIGINT NOT NULL DEFAULT 1,
            created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
            UNIQUE (user_id, idempotency_key)
        );
        CREATE INDEX withdrawals_pending ON withdrawals (created_at) WHERE state = 'pending';

        CREATE TABLE operators (
            name       TEXT PRIMARY KEY,
            role       TEXT NOT NULL CHECK (role IN ('viewer', 'oncall', 'moderator', 'admin')),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );

        CREATE TABLE operator_actions (
            id         BIGSERIAL PRIMARY KEY,
            operator   TEXT NOT NULL,
            role       TEXT NOT NULL,
            action     TEXT NOT NULL,
            target     TEXT NOT NULL,
            reason     TEXT NOT NULL,
            outcome    TEXT NOT NULL,
            detail     TEXT,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX operator_actions_recent ON operator_actions (created_at DESC, id DESC);
        """)
}
