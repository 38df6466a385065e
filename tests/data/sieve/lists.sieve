require ["fileinto", "regex", "variables", "imap4flags", "copy", "mailbox",
         "envelope", "subaddress", "relational", "comparator-i;ascii-numeric",
         "body", "editheader", "duplicate", "vacation", "reject",
         "encoded-character", "vnd.dovecot.pipe"];
# per-list folders
if header :regex "list-id" "<([a-z0-9-]+)[.]" {
    fileinto :create "Lists.${1}";
    stop;
}
/* spam by score */
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "10" {
    addflag "\\Seen";
    fileinto :flags "\\Seen \\Flagged" "Spam";
} elsif envelope :detail "to" "*" {
    set :lower "d" "${1}";
    fileinto :copy "plus.${d}";
} elsif anyof (size :over 10M, body :text :contains "unsubscribe") {
    discard;
} elsif duplicate :seconds 3600 {
    discard;
} else {
    addheader :last "X-Filtered" text:
yes
..dot
.
;
    vacation :days 3 :subject "away" "${hex: 49 20 61 6d}";
    pipe :try "notify" ["-q"];
    keep;
}
