module kscope

go 1.26.0
