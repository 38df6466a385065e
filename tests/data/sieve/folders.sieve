# per-list folders, spam with flags, plus-address folders (yubin.7)
require ["fileinto", "regex", "variables", "imap4flags", "mailbox",
         "envelope", "subaddress"];
if header :regex "list-id" "<([a-z0-9-]+)[.]" {
    fileinto :create "Lists.${1}";
    stop;
}
if header :is "x-spam-flag" "YES" {
    fileinto :create :flags ["\\Seen", "\\Flagged"] "Spam";
    stop;
}
if envelope :matches :detail "to" "*" {
    set :lower "d" "${1}";
    fileinto :create "plus.${d}";
}
