# `sam build` (and `sam sync`) call build-<LogicalId> for each function of template.yaml (Metadata
# BuildMethod: makefile) with ARTIFACTS_DIR set. Maven runs once for all five functions: the first target builds
# every jar, the others find them up to date. samconfig.toml sets build_in_source, so the targets run here
# rather than in five copies of the repository, and one after the other.
#
# The shaded jar goes to $(ARTIFACTS_DIR)/lib/: Lambda's Java runtime puts lib/*.jar on the class path (a jar at
# the root of the deployment package would not be).

MVN ?= mvn
FUNCTION_MODULES := functions/submit,functions/status,functions/worker,functions/reconciler,functions/callback
SOURCES := pom.xml $(shell find functions -path '*/target' -prune -o -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -print)
STAMP := target/sam-build.stamp

.PHONY: build-SubmitFunction build-StatusFunction build-WorkerFunction build-ReconcilerFunction build-CallbackFunction

$(STAMP): $(SOURCES)
	$(MVN) -q -B -DskipTests -pl $(FUNCTION_MODULES) -am package
	@mkdir -p $(dir $@) && touch $@

build-SubmitFunction: $(STAMP)
	mkdir -p "$(ARTIFACTS_DIR)/lib" && cp functions/submit/target/submit-function.jar "$(ARTIFACTS_DIR)/lib/"

build-StatusFunction: $(STAMP)
	mkdir -p "$(ARTIFACTS_DIR)/lib" && cp functions/status/target/status-function.jar "$(ARTIFACTS_DIR)/lib/"

build-WorkerFunction: $(STAMP)
	mkdir -p "$(ARTIFACTS_DIR)/lib" && cp functions/worker/target/worker-function.jar "$(ARTIFACTS_DIR)/lib/"

build-ReconcilerFunction: $(STAMP)
	mkdir -p "$(ARTIFACTS_DIR)/lib" && cp functions/reconciler/target/reconciler-function.jar "$(ARTIFACTS_DIR)/lib/"

build-CallbackFunction: $(STAMP)
	mkdir -p "$(ARTIFACTS_DIR)/lib" && cp functions/callback/target/callback-function.jar "$(ARTIFACTS_DIR)/lib/"
