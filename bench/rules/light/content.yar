// Light benchmark rules: whole-file statistics and indicator strings, any file type.
import "math"

rule high_entropy_blob
{
    condition:
        filesize > 4096 and filesize < 8MB and math.entropy(0, filesize) > 7.9
}

rule mostly_text
{
    condition:
        filesize > 256 and filesize < 4MB and math.mean(0, filesize) > 60.0 and math.mean(0, filesize) < 100.0 and
        math.entropy(0, filesize) < 5.5
}

rule script_shebang
{
    condition:
        uint16(0) == 0x2123
}

rule archive_zip_or_gzip
{
    condition:
        uint32(0) == 0x04034B50 or uint16(0) == 0x8B1F
}

rule pdf_document
{
    strings:
        $js = "/JavaScript"
    condition:
        uint32(0) == 0x46445025 and ($js or filesize < 10MB)
}

rule downloader_strings
{
    strings:
        $a = "wget " ascii
        $b = "curl " ascii
        $c = "chmod +x" ascii
        $d = "powershell" ascii wide nocase
    condition:
        2 of them
}

rule url_http_literal
{
    strings:
        $u = /https?:\/\/[a-z0-9.-]{4,40}\.(ru|cn|xyz|top)\// ascii
    condition:
        $u
}
