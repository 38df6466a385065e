if allof (exists "from", not address :all :is "from" "a@b") { keep; }
