package dev.reactor;

final class Bits {
    private Bits() { }

    /** Names the set bits, lowest first, joined by '|'; bits without a name print as hex. */
    static String toString(int bits, String[] names) {
        if (bits == 0) return "0";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                if (sb.length() > 0) sb.append('|');
                sb.append(names[i]);
            }
        }
        int unknown = bits & ~((1 << names.length) - 1);
        if (unknown != 0) {
            if (sb.length() > 0) sb.append('|');
            sb.append("0x").append(Integer.toHexString(unknown));
        }
        return sb.toString();
    }
}
