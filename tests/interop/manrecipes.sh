#!/bin/sh
# The Sieve recipes of a man page, each into its own file.
#   manrecipes.sh PAGE DIR    writes DIR/NAME.sieve for every block that
#                             follows a `.\" sieve-recipe NAME` line and
#                             prints the names, one a line
# mdoc's \e is a backslash and \& nothing; nothing else is escaped in
# the literal blocks of these recipes.
set -eu
awk -v dir="$2" '
/^\.\\" sieve-recipe / { name = $3; next }
name != "" && /^\.Bd / { file = dir "/" name ".sieve"; printf "" > file; next }
file != "" && /^\.Ed/ { close(file); print name; name = file = ""; next }
file != "" {
	gsub(/\\&/, "")
	gsub(/\\e/, "\\")
	print > file
}
' "$1"
