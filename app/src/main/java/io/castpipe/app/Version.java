package io.castpipe.app;

final class Version {
    private Version() {
    }

    /** The version stamped into the launcher jar's manifest; "dev" when run from classes. */
    static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
