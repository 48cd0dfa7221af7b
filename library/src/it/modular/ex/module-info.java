/** A user's module: checks the jar works on the module path (scripts/module-path-check). */
module ex {
    requires dev.reactor;
}
