"""The status of a file received and of a unit in the roll call (register.csv), each with the
words the office reads; apart from `register` so that the pages can name them without importing
the readers."""

# the status of a file received (and of a unit in the roll call: these, or missing)
RECEIVED, UNREADABLE, NO_TABLES, UNKNOWN, DUPLICATE, OTHER_YEAR, OLD_FORMAT, MISSING = (
    "received",
    "unreadable",
    "no_tables",
    "unknown_unit",
    "duplicate",
    "other_year",
    "old_format",
    "missing",
)

# each status as the office reads it
STATUS_LABELS = {
    RECEIVED: "已收到",
    UNREADABLE: "无法打开",
    NO_TABLES: "没有年报表格",
    UNKNOWN: "单位无法识别",
    DUPLICATE: "重复报送",
    OTHER_YEAR: "年度不符",
    OLD_FORMAT: "旧格式（2019年试行格式）",
    MISSING: "未报送",
}
