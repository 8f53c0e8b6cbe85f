package io.fleetdoctor.playbook.fix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UnifiedDiffTest {

    /** A replaced line shows as removed, then added; context and hunk header as diff -u prints them. */
    @Test
    void removedLinesComeBeforeTheAddedOnes() {
        String before = "a\nb\nimage: v1\nc\nd\n";
        String after = "a\nb\nimage: v2\nflag: x\nc\nd\n";
        assertEquals("""
                --- a/x
                +++ b/x
                @@ -1,6 +1,7 @@
                 a
                 b
                -image: v1
                +image: v2
                +flag: x
                 c
                 d
                 \n""", UnifiedDiff.diff("a/x", "b/x", before, after));
    }

    @Test
    void twoReplacedLinesAreBothRemovedFirst() {
        assertEquals("""
                --- a
                +++ b
                @@ -1,3 +1,3 @@
                -x
                -y
                +X
                +Y
                 z
                """, UnifiedDiff.diff("a", "b", "x\ny\nz", "X\nY\nz"));
        assertEquals("--- a\n+++ b\n(no change)\n", UnifiedDiff.diff("a", "b", "same", "same"));
    }
}
