# ~/.bashrc of a lab host
[ -z "$PS1" ] && return
HISTCONTROL=ignoreboth
HISTSIZE=2000
shopt -s histappend checkwinsize
PS1='\[\e[1;32m\]\u@\h\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]\$ '
alias ls='ls --color=auto'
alias ll='ls -la'
[ -f /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
