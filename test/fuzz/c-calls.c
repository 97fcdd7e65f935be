/* Calls made the way a C program may make them: any int where the prototype has an
   enum (C converts freely; C++ may not form an enum value outside its range). The
   prototypes are declared here with int, without twopass.h: enums and int are passed
   alike in the x86-64 ABI. */
int twopass_set_log_level(int level);
int twopass_internal_set_isa(int isa);

int fuzz_set_log_level_int(int level) { return twopass_set_log_level(level); }
int fuzz_set_isa_int(int isa) { return twopass_internal_set_isa(isa); }
