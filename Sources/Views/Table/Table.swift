/// A column of a ``Table``.
public struct TableColumn: Sendable, Equatable {
    public var title: String
    /// The key the data source sorts this column by; nil when the column is not sortable.
    public var sortKey: String?
    /// The width the column asks for (its content is cut to it).
    public var width: Int
    /// A flexible column also takes the width left over by the others.
    public var flexible: Bool
    /// When the screen is too narrow, columns with the highest priority number go first; 0 never goes.
    public var dropPriority: Int

    public init(_ title: String, sortKey: String? = nil, width: Int, flexible: Bool = false, dropPriority: Int = 0) {
        self.title = title
        self.sortKey = sortKey
        self.width = width
        self.flexible = flexible
        self.dropPriority = dropPriority
    }
}

/// One cell of a ``TableRow``: a value and, optionally, a role that overrides the row's.
public struct TableCell: Sendable, Equatable {
    public var value: CellValue
    public var role: StyleRole?

    public init(_ value: CellValue, role: StyleRole? = nil) {
        self.value = value
        self.role = role
    }

    public static func text(_ text: String, role: StyleRole? = nil) -> TableCell { TableCell(.text(text), role: role) }
    public static func number(_ text: String, role: StyleRole? = nil) -> TableCell { TableCell(.number(text), role: role) }
}

/// A row of a ``Table``, identified so the console can keep the selection and flash changes.
public struct TableRow: Sendable, Equatable, Identifiable {
    public var id: String
    public var cells: [TableCell]
    /// How the whole row is painted (`.added`/`.changed`/`.removed` flashes, `.warning`, …); nil = normal.
    public var role: StyleRole?

    public init(id: String, cells: [TableCell], role: StyleRole? = nil) {
        self.id = id
        self.cells = cells
        self.role = role
    }
}

/// A table: columns, the rows on screen, the selection and the sort shown in the header.
public struct Table: Sendable, Equatable {
    public var columns: [TableColumn]
    public var rows: [TableRow]
    /// Index into ``rows`` of the selected row; nil when the table has no cursor.
    public var selectedIndex: Int?
    public var sortKey: String?
    public var descending: Bool
    /// What an empty table says ("no live auctions", "no rows match 'pepe'").
    public var emptyMessage: String

    public init(columns: [TableColumn], rows: [TableRow] = [], selectedIndex: Int? = nil, sortKey: String? = nil,
                descending: Bool = false, emptyMessage: String = "nothing here") {
        self.columns = columns
        self.rows = rows
        self.selectedIndex = selectedIndex
        self.sortKey = sortKey
        self.descending = descending
        self.emptyMessage = emptyMessage
    }
}
