# pg_failprobe: PGXS build of the extension, plus the client and its tests.
#
#   make && sudo make install     build and install against pg_config on PATH
#   make installcheck             pg_regress (with and without the preload)
#                                 and the TAP failover tests, each on its own
#                                 temporary servers; never touches a running one

MODULE_big = pg_failprobe
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))
EXTENSION = pg_failprobe
DATA = pg_failprobe--1.0.sql
PGFILEDESC = "pg_failprobe - heartbeats, commit LSNs and the promotion record"

PG_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

# pg_regress on a temporary instance of its own, with the library preloaded
REGRESS = setup heartbeat commit_lsn timeline privileges
REGRESS_OPTS = --temp-config=$(srcdir)/test/preload.conf --temp-instance=./tmp_regress \
	--load-extension=pg_failprobe

TAP_TESTS = 1

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The TAP tests drive a real libpq program to prove that commit LSNs reach
# the client in the reply to the commit.
PROBE = t/pq_commit_probe
all: $(PROBE)
$(PROBE): t/pq_commit_probe.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -I$(shell $(PG_CONFIG) --includedir) \
		-o $@ $< -L$(shell $(PG_CONFIG) --libdir) -lpq

# The same SQL surface without shared_preload_libraries: functions that need
# the shared state must say how to fix it.
NOPRELOAD = nopreload
installcheck: installcheck-nopreload
.PHONY: installcheck-nopreload
installcheck-nopreload:
ifneq ($(NOPRELOAD),)
	$(pg_regress_installcheck) --temp-instance=./tmp_nopreload \
		--load-extension=pg_failprobe $(NOPRELOAD)
endif

EXTRA_CLEAN = $(PROBE) tmp_regress tmp_nopreload

# The load client lives in client/ with its own Makefile; it installs into
# FAILPROBE_BINDIR, not PostgreSQL's bindir.
FAILPROBE_BINDIR ?= /usr/local/bin
.PHONY: client client-check install-client clean-client
all: client
client:
	$(MAKE) -C client PG_CONFIG=$(PG_CONFIG)
client-check: client
	$(MAKE) -C client check PG_CONFIG=$(PG_CONFIG)
install: install-client
install-client: client
	$(MAKE) -C client install PG_CONFIG=$(PG_CONFIG) bindir=$(FAILPROBE_BINDIR)
installcheck: client-check
clean: clean-client
clean-client:
	$(MAKE) -C client clean
