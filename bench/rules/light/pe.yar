// Light benchmark rules, PE side (bench/rules/light, written for bench/store-shape.sh). Each file is its own
// namespace for both yara and Trawl. Keep them cheap: module conditions first, few short strings.
import "pe"
import "math"

rule pe_dll
{
    condition:
        uint16(0) == 0x5A4D and pe.is_pe and pe.characteristics & pe.DLL
}

rule pe_gui_executable
{
    condition:
        pe.is_pe and not pe.is_dll() and pe.subsystem == pe.SUBSYSTEM_WINDOWS_GUI
}

rule pe_few_sections_high_entropy_text
{
    condition:
        pe.is_pe and pe.number_of_sections <= 4 and
        for any i in (0 .. pe.number_of_sections - 1) : (
            pe.sections[i].name == ".text" and
            math.entropy(pe.sections[i].raw_data_offset, pe.sections[i].raw_data_size) > 6.5
        )
}

rule pe_overlay_present
{
    condition:
        pe.is_pe and pe.number_of_sections > 0 and
        filesize > pe.sections[pe.number_of_sections - 1].raw_data_offset +
                   pe.sections[pe.number_of_sections - 1].raw_data_size + 1024
}

rule pe_imports_process_injection
{
    condition:
        pe.is_pe and pe.imports("kernel32.dll", "VirtualAllocEx") and pe.imports("kernel32.dll", "WriteProcessMemory")
}

rule pe_imports_network
{
    condition:
        pe.is_pe and (pe.imports("ws2_32.dll") > 0 or pe.imports("wininet.dll") > 0 or pe.imports("winhttp.dll") > 0)
}

rule pe_run_key_string
{
    strings:
        $run = "\\CurrentVersion\\Run" ascii wide nocase
    condition:
        uint16(0) == 0x5A4D and $run
}
