// Rules for the job tests: every construct the checks use (modules, regexes, hex jumps, counts, private rules).
import "pe"
import "elf"
import "math"

private rule IsPe { condition: uint16(0) == 0x5A4D }

rule Eicar { meta: score = 100 strings: $e = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $e }

rule PeWithImports { condition: IsPe and pe.number_of_imports > 0 }

rule PeImportsKernel32 { condition: pe.imports("kernel32.dll") }

rule ElfShared { condition: elf.type == elf.ET_DYN }

rule ElfAny { condition: uint32(0) == 0x464C457F }

rule UrlRegex { strings: $u = /https?:\/\/[a-z0-9.\-]+\.[a-z]{2,}/ condition: $u }

rule HexJump { strings: $h = { 4D 5A [2-200] 50 45 } condition: $h at 0 }

rule ManyZeros { strings: $z = { 00 00 00 00 00 00 00 00 } condition: #z > 10 }

rule HighEntropy { condition: filesize > 1024 and math.entropy(0, filesize) > 7.5 }

rule ZipFile { strings: $pk = "PK" condition: $pk at 0 }
