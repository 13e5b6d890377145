// Light benchmark rules, ELF side.
import "elf"
import "math"

rule elf_x86_64_executable
{
    condition:
        uint32(0) == 0x464C457F and elf.machine == elf.EM_X86_64 and elf.type == elf.ET_EXEC
}

rule elf_shared_object
{
    condition:
        uint32(0) == 0x464C457F and elf.type == elf.ET_DYN
}

rule elf_stripped_no_symtab
{
    condition:
        uint32(0) == 0x464C457F and elf.number_of_sections > 0 and
        not for any i in (0 .. elf.number_of_sections - 1) : (elf.sections[i].name == ".symtab")
}

rule elf_packed_text
{
    condition:
        uint32(0) == 0x464C457F and
        for any i in (0 .. elf.number_of_sections - 1) : (
            elf.sections[i].name == ".text" and elf.sections[i].size > 4096 and
            math.entropy(elf.sections[i].offset, elf.sections[i].size) > 7.2
        )
}

rule elf_upx_marker
{
    strings:
        $upx = "UPX!"
    condition:
        uint32(0) == 0x464C457F and $upx in (0 .. 4096)
}

rule elf_shell_and_proc
{
    strings:
        $sh = "/bin/sh" ascii
        $proc = "/proc/self/" ascii
    condition:
        uint32(0) == 0x464C457F and all of them
}
