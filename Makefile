# Reactor: `make run` (HTTP + Redis + timerfd + eventfd in one loop), `make test` (everything CI runs), `make bench` (benchmarks).
SHELL := /bin/bash

# The build wants a JDK >= 22 for the Panama backend; without one it builds the jnr backend only.
JDK22 := $(shell scripts/find-jdk 22)
JDK17 := $(shell scripts/find-jdk 17 17)
ifeq ($(JDK22),)
  BUILD_JDK := $(or $(JAVA_HOME),$(shell scripts/find-jdk 17))
  JAVA_FLAGS :=
  $(info make: no JDK >= 22 found: building without the Panama backend (jnr-ffi only))
else
  BUILD_JDK := $(JDK22)
  # Panama downcalls are "restricted"; JCTools still uses sun.misc.Unsafe (warns on JDK 24+).
  JAVA_FLAGS := --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
endif
MVN := JAVA_HOME=$(BUILD_JDK) MAVEN_OPTS="$(if $(JDK22),--sun-misc-unsafe-memory-access=allow)" mvn -B -q
JAVA := $(BUILD_JDK)/bin/java $(JAVA_FLAGS)
ifneq ($(JDK17),)
  JDK17_ARGS := -Pjdk17 -Djdk17.java=$(JDK17)/bin/java
endif

CP_FILE := target/classpath.txt
RUN_CP = target/classes:target/test-classes:$$(cat $(CP_FILE))

BENCH_JAR := benchmarks/target/benchmarks.jar
BENCH_OUT ?= results/latest

.PHONY: all native build test run demo echo http clean bench bench-full bench-smoke bench-build

all: build

native: native/build/probe.txt

native/build/probe: native/probe.c
	@mkdir -p native/build
	gcc -O1 -Wall -Wextra -Werror -o $@ $<

native/build/probe.txt: native/build/probe
	native/build/probe > $@

# Compiles the library, its tests and examples, and writes the runtime classpath.
build: native
	$(MVN) test-compile dependency:build-classpath -Dmdep.outputFile=$(CP_FILE)

# Every suite: Panama and jnr on the newest JDK, then jnr again on JDK 17. Then the benchmarks
# module is compiled (against the library just built), so it cannot rot unnoticed.
test: native
	$(MVN) install dependency:build-classpath -Dmdep.includeScope=runtime \
	  -Dmdep.outputFile=target/runtime-classpath.txt $(JDK17_ARGS)
	scripts/module-path-check "$(JDK22)" "$(JDK17)" "$(BUILD_JDK)"
	$(MVN) -f benchmarks/pom.xml compile
	@scripts/test-summary target/surefire-reports

# One reactor serving HTTP on 127.0.0.1:8080 (or a free port), a Redis client (127.0.0.1:6379; 503
# until it answers), a timerfd and an eventfd. Override: make run ARGS="--port 9000 --redis host:port",
# or the PORT and REDIS_ADDR environment variables.
run: build
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.OneLoopApp $(ARGS)

# ---- benchmarks (never part of `make test`) -------------------------------------------------
# The library is installed to the local Maven repository right before the benchmarks jar is
# shaded, so the jar always carries this tree's library.
bench-build: native
	$(MAKE) -C native/bench
	$(MVN) install -Dmaven.test.skip=true
	$(MVN) -f benchmarks/pom.xml package

# The short profile (a few minutes): prints one table, writes $(BENCH_OUT)/ (JSON, CSV, PNG
# charts, logs) and the README's Benchmarks section.
bench: bench-build
	$(JAVA) -cp $(BENCH_JAR) dev.reactor.bench.suite.Suite --profile short --out $(BENCH_OUT) \
	  --native native/bench/build --command "make bench" --readme README.md

# Long runs: C's default iteration count, five rounds, longer JMH iterations; results only.
bench-full: bench-build
	$(JAVA) -cp $(BENCH_JAR) dev.reactor.bench.suite.Suite --profile full --out results/full \
	  --native native/bench/build --command "make bench-full"

# Seconds: every case once, tiny counts, to check that the harness works (numbers mean little).
bench-smoke: bench-build
	$(JAVA) -cp $(BENCH_JAR) dev.reactor.bench.suite.Suite --profile smoke --out results/smoke \
	  --native native/bench/build --command "make bench-smoke"

# One loop watching a pipe, an eventfd and a timerfd, printing what it dispatches.
demo: build
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.FdDemo

# The networking examples alone: an echo server (port 7007) and the HTTP server (port 8081).
echo: build
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.EchoServer $(ARGS)

http: build
	$(JAVA) -cp $(RUN_CP) dev.reactor.examples.HttpServer $(ARGS)

clean:
	rm -rf target native/build benchmarks/target native/bench/build
