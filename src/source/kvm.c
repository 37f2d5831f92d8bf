/* kvm.c: running KVM guests as warm sources (see kvm.h). */
