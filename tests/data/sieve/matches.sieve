require "variables";
if header :matches "subject" "*[*]*" { set "x" "${2}"; }
if string :count "ge" ["${x}", "a"] "2" { reject "no"; }
