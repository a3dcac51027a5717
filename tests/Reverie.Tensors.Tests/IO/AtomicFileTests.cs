// AtomicFile tests: a write that fails half-way leaves the previous file intact and no temporary file behind.
using Reverie.Tensors.IO;

namespace Reverie.Tensors.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void A_write_that_throws_midway_keeps_the_previous_file()
    {
        using var dir = new TempDir();
        string p = dir.File("state.bin");
        AtomicFile.Write(p, s => s.Write([1, 2, 3]));
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(p, s =>
        {
            s.Write(new byte[100_000]);         // part of the new content reaches the temporary file
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(p));
        Assert.False(File.Exists(p + ".tmp"));
    }

    [Fact]
    public void A_stale_temporary_file_from_a_crash_is_overwritten()
    {
        using var dir = new TempDir();
        string p = dir.File("state.bin");
        File.WriteAllBytes(p + ".tmp", new byte[1000]); // left by a process killed mid-write
        AtomicFile.Write(p, s => s.Write([9]));
        Assert.Equal(new byte[] { 9 }, File.ReadAllBytes(p));
        Assert.False(File.Exists(p + ".tmp"));
    }
}
