// TensorBoard event files: CRC32C vectors, masked CRCs, written files parsed back and verified, corruption detected.
using System.Buffers.Binary;
using System.Text;
using Reverie.Rl.Logging;

namespace Reverie.Rl.Tests.Logging;

public class TfEventsTests
{
    [Fact]
    public void Crc32C_matches_the_standard_check_values()
    {
        Assert.Equal(0xE3069283u, TfEvents.Crc32C(Encoding.ASCII.GetBytes("123456789")));   // RFC 3720 / iSCSI check value
        Assert.Equal(0x00000000u, TfEvents.Crc32C([]));
        Assert.Equal(0x8A9136AAu, TfEvents.Crc32C(new byte[32]));                           // RFC 3720 B.4: 32 zero bytes
        Assert.Equal(0x62A8AB43u, TfEvents.Crc32C(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, TfEvents.Crc32C(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        uint crc = 0xE3069283u;
        Assert.Equal(unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u), TfEvents.MaskedCrc32C(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Written_file_starts_with_the_file_version_and_reads_back_every_scalar()
    {
        using var tmp = new TempDir();
        string path;
        using (var w = new TensorBoardWriter(tmp.Path))
        {
            path = w.FilePath;
            w.AddScalar("loss/rew", 0.25f, 10, wallTime: 1700000000.5);
            w.AddScalars(20, [("loss/rew", -1.5f), ("episode/return", 123.0f)], wallTime: 1700000001.0);
            w.AddScalar("big_step", float.NaN, 1L << 40);
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));
        var events = TfEvents.ReadEvents(path);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Empty(events[0].Scalars);
        var s = TfEvents.ReadScalars(path);
        Assert.Equal(4, s.Count);
        Assert.Equal(new TfScalar("loss/rew", 10, 0.25f, 1700000000.5), s[0]);
        Assert.Equal(new TfScalar("loss/rew", 20, -1.5f, 1700000001.0), s[1]);
        Assert.Equal(("episode/return", 20L, 123f), (s[2].Tag, s[2].Step, s[2].Value));
        Assert.Equal(1L << 40, s[3].Step);
        Assert.True(float.IsNaN(s[3].Value));
    }

    [Fact]
    public void Records_use_tfrecord_framing_with_masked_crcs()
    {
        using var tmp = new TempDir();
        string path;
        using (var w = new TensorBoardWriter(tmp.Path)) { path = w.FilePath; w.AddScalar("a", 1f, 1, 2.0); }
        var bytes = File.ReadAllBytes(path);
        ulong len = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(TfEvents.MaskedCrc32C(bytes.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var data = bytes.AsSpan(12, (int)len);
        Assert.Equal(TfEvents.MaskedCrc32C(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12 + (int)len)));
        Assert.Equal(0x09, data[0]);   // field 1 (wall_time), wire type 1 (fixed64)
        // the scalar event, byte for byte: wall_time 2.0, step 1, summary { value { tag "a" simple_value 1.0 } }
        byte[] expected = [0x09, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0x01, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, (byte)'a', 0x15, 0, 0, 0x80, 0x3F];
        int second = 16 + (int)len;
        Assert.Equal(expected, bytes.AsSpan(second + 12, expected.Length).ToArray());
    }

    [Fact]
    public void Corruption_is_reported_with_file_and_offset()
    {
        using var tmp = new TempDir();
        string path;
        using (var w = new TensorBoardWriter(tmp.Path)) { path = w.FilePath; w.AddScalar("a", 1f, 1); w.AddScalar("b", 2f, 2); }
        var bytes = File.ReadAllBytes(path);
        var flipped = (byte[])bytes.Clone();
        flipped[^6] ^= 0x40;   // inside the last record's data
        File.WriteAllBytes(path, flipped);
        var e = Assert.Throws<InvalidDataException>(() => TfEvents.ReadEvents(path));
        Assert.Contains("data CRC mismatch", e.Message);
        Assert.Contains(path, e.Message);
        File.WriteAllBytes(path, bytes[..^3]);
        Assert.Contains("past the end", Assert.Throws<InvalidDataException>(() => TfEvents.ReadEvents(path)).Message);
        var hdr = (byte[])bytes.Clone();
        hdr[0] ^= 1;
        File.WriteAllBytes(path, hdr);
        Assert.Contains("length CRC mismatch at byte 0", Assert.Throws<InvalidDataException>(() => TfEvents.ReadEvents(path)).Message);
    }
}
