/*
  Trawl's default rules: a small, documented starting set. Real deployments point --rules (or TRAWL_RULES) at their
  own ruleset. The `score` meta drives the verdict (see README, "Verdicts").
*/

import "math"

rule EICAR_Test_File
{
    meta:
        description = "The EICAR anti-malware test file"
        score = 100
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar at 0 or $eicar
}

rule Script_Downloads_And_Executes
{
    meta:
        description = "A script that fetches a remote payload and runs it"
        score = 60
    strings:
        $dl1 = "Invoke-WebRequest" nocase
        $dl2 = "DownloadString" nocase
        $dl3 = "curl " nocase
        $dl4 = "wget " nocase
        $ex1 = "Invoke-Expression" nocase
        $ex2 = "IEX" fullword
        $ex3 = "| sh" nocase
        $ex4 = "| bash" nocase
        $ex5 = "chmod +x" nocase
    condition:
        filesize < 1MB and any of ($dl*) and any of ($ex*)
}

rule Persistence_Run_Key
{
    meta:
        description = "Writes a Windows Run key for persistence"
        score = 40
    strings:
        $run = "Software\\Microsoft\\Windows\\CurrentVersion\\Run" nocase ascii wide
    condition:
        $run
}

rule UPX_Packed_PE
{
    meta:
        description = "A PE packed with UPX"
        severity = "low"
    strings:
        $upx0 = "UPX0"
        $upx1 = "UPX1"
    condition:
        uint16(0) == 0x5A4D and $upx0 and $upx1
}

rule High_Entropy_Executable
{
    meta:
        description = "An executable whose content is close to random: packed or encrypted"
        score = 30
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and filesize > 4KB and
        math.entropy(0, filesize) > 7.2
}
