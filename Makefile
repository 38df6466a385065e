# yubin: plain make, pkg-config for the libraries.
#
#   make                 build every program in cmd/
#   make check           build and run the whole test suite
#   make check SANITIZE=1  (or make sanitize) the same on an ASan+UBSan build
#   make mutate          each program against stand-ins (tests/mutate)
#   make fuzz            run each libFuzzer harness for FUZZTIME seconds
#   make bench           run the benchmarks in tests/bench/
#   make conformance     Pigeonhole's Sieve test suite (fetched) against ours
#   make lint            mandoc -Tlint, groff -ww and cppcheck
#   make install         honours PREFIX, DESTDIR, MANPREFIX

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config

CC     ?= cc
CFLAGS ?= -O2 -g
WFLAGS  = -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow \
          -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WFLAGS += -Werror
endif

ifeq ($(SANITIZE),1)
O ?= build/san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
CFLAGS  := -O1 -g $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
else
O ?= build
endif

# Libraries, looked up only when a program needs them (= is lazy).
CURL_LIBS  = $(shell $(PKG_CONFIG) --libs libcurl)
SSL_LIBS   = $(shell $(PKG_CONFIG) --libs openssl)
CARES_LIBS = $(shell $(PKG_CONFIG) --libs libcares)
MAGIC_LIBS = -lmagic

PROGS   = $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
BINS    = $(addprefix $(O)/bin/,$(PROGS))
LIBSRC  = $(wildcard common/*.c)
LIBOBJ  = $(patsubst %.c,$(O)/%.o,$(LIBSRC))
LIB     = $(O)/libyubin.a
UNITSRC = $(wildcard tests/unit/*_test.c)
UNITS   = $(patsubst tests/unit/%.c,$(O)/unit/%,$(UNITSRC))
FUZZSRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZSRC))
FUZZTIME ?= 30

# maildeliver is started once for every message an MTA delivers: its
# start-up is most of its work.  Where Debian's musl-tools is installed
# it is linked statically against musl, as a position-independent
# executable (the address-space randomisation stays): it then starts in
# 0.2 ms where glibc's start takes 0.5-0.6 ms on the test machine, most
# of it glibc asking the CPU (cpuid, a trap to the hypervisor on a VM)
# for its caches.  The conformance runner is built the same way, so that
# it runs the regex and iconv that maildeliver ships with.  README:
# "Why maildeliver is linked with musl".  MUSL=0, a sanitizer build or
# no musl-gcc: linked with glibc like every other program.
MUSL_DIR ?= /usr/lib/$(shell $(CC) -dumpmachine 2>/dev/null | sed 's/-gnu.*$$/-musl/')
MUSL_CC  ?= musl-gcc
ifeq ($(SANITIZE),1)
MUSL = 0
endif
MUSL ?= $(if $(and $(wildcard $(MUSL_DIR)/rcrt1.o),$(shell command -v $(MUSL_CC))),1,0)
MUSL_PROGS = maildeliver
# what libcurl, c-ares and libmagic (glibc builds only) are needed for
MUSL_SRC = $(filter-out common/dns.c common/net.c common/ftype.c,$(LIBSRC))
MUSL_LIB = $(O)/musl/libyubin.a

# Per-program libraries beyond libc (programs not listed need none).
LDLIBS_mailsend   = $(CURL_LIBS) $(SSL_LIBS) $(CARES_LIBS)
LDLIBS_popfetch   = $(CURL_LIBS) $(SSL_LIBS) $(CARES_LIBS)
LDLIBS_imapls     = $(CURL_LIBS) $(SSL_LIBS)
LDLIBS_mxlookup   = $(CARES_LIBS)
LDLIBS_mimepack   = $(MAGIC_LIBS)
LDLIBS_hdrparse   = -pthread
# Unit drivers that reach the network layer.
NET_LIBS          = $(CURL_LIBS) $(SSL_LIBS) $(CARES_LIBS)
LDLIBS_net_test   = $(NET_LIBS)
LDLIBS_conly_test = $(NET_LIBS)
LDLIBS_cred_test  = $(NET_LIBS) -Wl,--wrap=free
LDLIBS_dns_test   = $(NET_LIBS)
LDLIBS_explain_test = $(NET_LIBS)
LDLIBS_smtp_test  = $(NET_LIBS)
LDLIBS_pop3_test  = $(NET_LIBS)
LDLIBS_pop3c_test = $(NET_LIBS)

all: $(BINS)

$(O)/%.o: %.c $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -Icommon -c -o $@ $<

$(LIB): $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(O)/bin/%: $(O)/cmd/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS_$*) $(LDLIBS)

ifeq ($(MUSL),1)
$(O)/musl/%.o: %.c $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(MUSL_CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -fPIE -Icommon -c -o $@ $<

$(MUSL_LIB): $(patsubst %.c,$(O)/musl/%.o,$(MUSL_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

# musl-gcc's own link names ld-musl as the interpreter even for
# -static-pie: the start files are given here instead (rcrt1.o relocates
# the program itself).
MUSL_LINK = $(CC) -static-pie -nostdlib -nostartfiles $(LDFLAGS) \
    $(MUSL_DIR)/rcrt1.o $(MUSL_DIR)/crti.o $$($(CC) -print-file-name=crtbeginS.o)
MUSL_END  = $(MUSL_DIR)/libc.a $$($(CC) -print-libgcc-file-name) \
    $$($(CC) -print-file-name=crtendS.o) $(MUSL_DIR)/crtn.o

$(addprefix $(O)/bin/,$(MUSL_PROGS)): $(O)/bin/%: $(O)/musl/cmd/%.o $(MUSL_LIB)
	@mkdir -p $(@D)
	$(MUSL_LINK) -o $@ $< $(MUSL_LIB) $(MUSL_END)
endif

$(O)/unit/%: $(O)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) -pthread $(LDLIBS_$*) $(LDLIBS)

# The conformance runner's binary (tests/conformance/run): the
# vnd.dovecot.testsuite commands over our Sieve interpreter.
SVTEST = $(O)/test/svtest
ifeq ($(MUSL),1)
$(SVTEST): $(O)/musl/tests/conformance/svtest.o $(MUSL_LIB)
	@mkdir -p $(@D)
	$(MUSL_LINK) -o $@ $< $(MUSL_LIB) $(MUSL_END)
else
$(SVTEST): $(O)/tests/conformance/svtest.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)
endif

# A stand-in for maildeliver -n -r for tests/interop/sievediff.py, until
# maildeliver runs Sieve itself.
SIEVEN = $(O)/test/sieven
$(SIEVEN): $(O)/tests/interop/sieven.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

units: $(UNITS) $(SVTEST) $(SIEVEN)

conformance: $(SVTEST)
	tests/conformance/run $(SVTEST)

deps:
	@tests/deps

# deps first, alone: the build itself may need the packages it installs.
check: deps
	$(MAKE) all units
	YUBIN_BIN=$(CURDIR)/$(O)/bin YUBIN_UNIT=$(CURDIR)/$(O)/unit tests/run

sanitize:
	$(MAKE) check SANITIZE=1

# each program against three stand-ins: a case of its suites that still
# passes must be in tests/mutate.allow
mutate: deps
	$(MAKE) all units
	YUBIN_BIN=$(CURDIR)/$(O)/bin YUBIN_UNIT=$(CURDIR)/$(O)/unit tests/mutate

# libFuzzer wants clang; the library is compiled once more, instrumented
# for coverage and the sanitizers, so that every parser is fuzzed.
FUZZSAN   = -fno-sanitize-recover=all -D_POSIX_C_SOURCE=200809L -Icommon -pthread
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined $(FUZZSAN)
FUZZOBJ   = $(patsubst common/%.c,build/fuzz/obj/%.o,$(LIBSRC))
build/fuzz/obj/%.o: common/%.c $(wildcard common/*.h)
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(FUZZSAN) \
	    -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(FUZZOBJ)
	@mkdir -p $(@D)
	clang $(FUZZFLAGS) -o $@ $< $(FUZZOBJ) $(NET_LIBS) $(MAGIC_LIBS)

fuzz-build: $(FUZZERS)

fuzz: $(FUZZERS)
	tests/fuzz/run $(FUZZTIME) $(FUZZERS)

bench: all
	YUBIN_BIN=$(CURDIR)/$(O)/bin tests/bench/run

# groff, as Debian's man(1) runs it, warns where mandoc does not (a
# quote or a macro name inside .%T ends a page early); its status stays
# 0, so any warning on stderr fails the target.
lint:
	mandoc -Tlint -W warning man/*.[0-9]
	@for m in man/*.[0-9]; do \
	    w=$$(groff -k -man -Tutf8 -ww -z "$$m" 2>&1) || exit 1; \
	    [ -z "$$w" ] || { printf '%s\n' "$$w"; exit 1; }; \
	done
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --std=c99 --inline-suppr -Icommon -i common/codec.c common cmd
	# codec.c in the one configuration the build compiles here: in the
	# others cppcheck spends minutes folding its lookup tables' 2 048
	# constant expressions (see b64g), which -D__CPPCHECK__ hides
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --std=c99 --inline-suppr -Icommon -D__CPPCHECK__ -D__GNUC__ \
	    -D__x86_64__ -D__BYTE_ORDER__=1234 \
	    -D__ORDER_LITTLE_ENDIAN__=1234 common/codec.c

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man7
	for p in $(PROGS); do install -m 755 $(O)/bin/$$p $(DESTDIR)$(BINDIR)/; done
	for m in man/*.1; do install -m 644 $$m $(DESTDIR)$(MANPREFIX)/man1/; done
	for m in man/*.5; do [ -e "$$m" ] || continue; \
	    install -m 644 $$m $(DESTDIR)$(MANPREFIX)/man5/; done
	for m in man/*.7; do [ -e "$$m" ] || continue; \
	    install -m 644 $$m $(DESTDIR)$(MANPREFIX)/man7/; done

clean:
	rm -rf build

.PHONY: conformance all units deps check sanitize mutate fuzz fuzz-build bench lint install clean
.SECONDARY:
