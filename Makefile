# Reactor: `make run` (HTTP + Redis + timerfd + eventfd in one loop), `make test` (everything CI runs), `make bench` (benchmarks).
SHELL := /bin/bash

# The build wants a JDK >= 22 for the Panama backend. Without one, make builds a jnr-only jar on
# purpose (-Dreactor.jnrOnly=true) and says so; plain Maven refuses (the parent pom's enforcer).
JDK22 := $(shell scripts/find-jdk 22)
JDK17 := $(shell scripts/find-jdk 17 17)
ifeq ($(JDK22),)
  BUILD_JDK := $(or $(JAVA_HOME),$(shell scripts/find-jdk 17))
  JAVA_FLAGS :=
  JNR_ONLY := -Dreactor.jnrOnly=true
  $(warning make: no JDK >= 22 found: building a jnr-only jar, without the Panama backend)
else
  BUILD_JDK := $(JDK22)
  # Panama downcalls are "restricted". The library uses no sun.misc.Unsafe; the flag is for what
  # runs next to it: the benchmarks' JMH, Netty and jnr's jffi (each warns on JDK 24+ otherwise).
  JAVA_FLAGS := --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
endif
MVN := JAVA_HOME=$(BUILD_JDK) MAVEN_OPTS="$(if $(JDK22),--sun-misc-unsafe-memory-access=allow)" mvn -B -q $(JNR_ONLY)
JAVA := $(BUILD_JDK)/bin/java $(JAVA_FLAGS)
ifneq ($(JDK17),)
  JDK17_ARGS := -Pjdk17 -Djdk17.java=$(JDK17)/bin/java
endif
# Linux-only parts (the kqueue emulator's own tests, the aarch64 suite) are skipped elsewhere,
# saying so. UNAME=Darwin make -n test shows what a Mac would run (not run here: no Mac).
UNAME ?= $(shell uname -s)
ifeq ($(UNAME),Linux)
  EMULATOR_TEST := scripts/kqueue-emu --test
else
  EMULATOR_TEST := @echo "make: the kqueue emulator's tests are Linux's; this is $(UNAME), whose kqueue the suites use"
endif
# The aarch64 suite: an arm64 JDK 17 under qemu-user, where the machine can (scripts/aarch64-jdk
# prints its home, or "skip: why"; scripts/aarch64-setup installs it on Debian).
AARCH64 := $(if $(filter Linux,$(UNAME)),$(or $(shell scripts/aarch64-jdk),skip: scripts/aarch64-jdk printed nothing),skip: not Linux ($(UNAME)))
ifeq ($(filter skip:%,$(AARCH64)),)
  AARCH64_ARGS := -Paarch64 -Daarch64.java=$(AARCH64)/bin/java
endif

# The examples run from their classes, on the library's jar and its dependencies.
RUN_CP = examples/target/classes:$$(cat examples/target/classpath.txt)
REPORTS := library/target/test-reports examples/target/test-reports

BENCH_JAR := benchmarks/target/benchmarks.jar
BENCH_OUT ?= results/latest

.PHONY: all help native build install test test-aarch64 soak run demo example echo http clean bench bench-full bench-smoke bench-build

all: build

help: ## this list
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /  make \1\t/' | expand -t 24

# The native parts the tests use (probe, no-pwait2 launcher, libsigstorm); Maven runs the same script.
native: ## build native/build (Maven does it too, before the tests)
	scripts/native "$(BUILD_JDK)"

# The library's jar and the examples' classes, and the examples' runtime classpath; no tests.
build: ## compile and package the library and the examples (no tests)
	$(MVN) package -pl examples -am -DskipTests dependency:build-classpath -Dmdep.includeScope=runtime \
	  -Dmdep.outputFile=target/classpath.txt

install: ## put the library (jar, sources, tests jar) in the local Maven repository, without the tests
	$(MVN) install -DskipTests

# Every suite, library and examples, against the packaged jar: Panama and jnr on the newest JDK,
# Panama spinning, Panama where the kernel refuses epoll_pwait2 (native/no-pwait2), then jnr
# again on JDK 17; the benchmarks compile and package in the same build; then a user module runs
# on the module path, and javadoc (doclint: every public member documented) must pass. Tiers: the panama suite runs the core and heavy tests, every other suite
# the core tier only (dev.reactor.testing.Heavy). The summary gives each suite's counts and wall
# time; it is printed when a suite fails too, and make still fails. Old reports are removed
# first: stale ones were counted.
test: ## every test suite, the benchmarks' build and the module-path check (what CI runs)
	@rm -rf $(REPORTS) && mkdir -p target && date +%s > target/test-started
	@$(if $(AARCH64_ARGS),,echo "make: the aarch64 suite is skipped: $(subst skip: ,,$(AARCH64))")
	$(MVN) verify dependency:build-classpath -Dmdep.includeScope=runtime \
	  -Dmdep.outputFile=target/runtime-classpath.txt $(JDK17_ARGS) $(AARCH64_ARGS) \
	  || { scripts/test-summary --started target/test-started $(REPORTS); exit 1; }
	scripts/module-path-check "$(JDK22)" "$(JDK17)" "$(BUILD_JDK)"
	$(EMULATOR_TEST)
	$(MVN) -pl library javadoc:javadoc
	@scripts/test-summary --started target/test-started $(REPORTS)
	@$(if $(AARCH64_ARGS),,echo "make: the aarch64 suite was skipped: $(subst skip: ,,$(AARCH64))")

# The jnr suite (core tier) alone on an arm64 JDK 17 under qemu-user, with the probe,
# libsigstorm.so and the kqueue emulator cross-compiled: the 16-byte struct epoll_event path, run;
# then the emulator's own C tests on aarch64. Fails (with the reason)
# where the machine cannot; make test skips it there instead.
test-aarch64: ## the jnr suite on an arm64 JDK 17 under qemu-user (scripts/aarch64-setup installs it)
	@$(if $(AARCH64_ARGS),,echo "make: cannot run the aarch64 suite: $(subst skip: ,,$(AARCH64))"; exit 1)
	@rm -rf $(REPORTS) && mkdir -p target && date +%s > target/test-started
	$(MVN) verify $(AARCH64_ARGS) -Daarch64.only=true \
	  || { scripts/test-summary --started target/test-started $(REPORTS); exit 1; }
	CC=aarch64-linux-gnu-gcc KQEMU_OUT=native/build/aarch64 scripts/kqueue-emu --test
	@scripts/test-summary --started target/test-started $(REPORTS)

# The model-based property at length, on every suite of the newest JDK (make test runs 200 tries),
# and LoadTest at full size (heavy: the panama suite only; ~2 min here).
SOAK_TRIES ?= 20000
soak: ## ReactorModelTest at SOAK_TRIES sequences per suite and LoadTest at full size
	@rm -rf $(REPORTS)
	$(MVN) verify -pl library -Dit.test=ReactorModelTest,LoadTest -Dfailsafe.failIfNoSpecifiedTests=false \
	  -Djqwik.tries.default=$(SOAK_TRIES) -Ddev.reactor.test.load=full
	@scripts/test-summary library/target/test-reports

# One reactor serving HTTP on 127.0.0.1:8080 (or a free port), a Redis client (127.0.0.1:6379; 503
# until it answers), a timerfd and an eventfd. Override: make run ARGS="--port 9000 --redis host:port",
# or the PORT and REDIS_ADDR environment variables.
run: build ## OneLoopApp: HTTP, a Redis client, a timerfd and an eventfd on one loop (ARGS=...)
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.OneLoopApp $(ARGS)

# ---- benchmarks (never run by `make test`) ---------------------------------------------------
# One reactor build: the benchmarks jar is shaded with this tree's library.
bench-build: ## the C baselines and benchmarks/target/benchmarks.jar
	$(MAKE) -C native/bench
	$(MVN) package -pl benchmarks -am -DskipTests

# The short profile (a few minutes): prints one table, writes $(BENCH_OUT)/ (JSON, CSV, PNG
# charts, logs) and the README's Benchmarks section.
bench: bench-build ## the short benchmark profile: one table, results/latest, the README section
	$(JAVA) -cp $(BENCH_JAR) dev.reactor.bench.suite.Suite --profile short --out $(BENCH_OUT) \
	  --native native/bench/build --command "make bench" --readme README.md

# Long runs: C's default iteration count, five rounds, longer JMH iterations; results only.
bench-full: bench-build ## long benchmark runs (results/full)
	$(JAVA) -cp $(BENCH_JAR) dev.reactor.bench.suite.Suite --profile full --out results/full \
	  --native native/bench/build --command "make bench-full"

# Seconds: every case once, tiny counts, to check that the harness works (numbers mean little).
bench-smoke: bench-build ## every benchmark case once, tiny counts (checks the harness)
	$(JAVA) -cp $(BENCH_JAR) dev.reactor.bench.suite.Suite --profile smoke --out results/smoke \
	  --native native/bench/build --command "make bench-smoke"

# One loop watching a pipe, an eventfd and a timerfd, printing what it dispatches.
demo: build ## FdDemo: a pipe, an eventfd and a timerfd on one loop
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.FdDemo

# Any example by class name: make example CLASS=DirWatcher ARGS=/tmp (JAVA_OPTS for the JVM).
example: build ## any example: make example CLASS=ExitWatcher [ARGS=...] [JAVA_OPTS=...]
	@$(if $(CLASS),,echo "make example: say which, e.g. CLASS=DirWatcher (examples/src/main/java/dev/reactor/examples)"; exit 2)
	$(JAVA) $(JAVA_OPTS) -cp $(RUN_CP) dev.reactor.examples.$(CLASS) $(ARGS)

# The networking examples alone: an echo server (port 7007) and the HTTP server (port 8081).
echo: build ## the echo server (port 7007)
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.EchoServer $(ARGS)

http: build ## the HTTP server (port 8081)
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.HttpServer $(ARGS)

clean: ## remove every build output
	rm -rf target library/target examples/target benchmarks/target native/build native/bench/build
